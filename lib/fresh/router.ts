/**
 * Matches a pathname to a route in Fresh's order and picks the handler for the method. Built
 * once in `createHandler`: static routes are one Map lookup, the rest are URLPatterns.
 */
import { IS_PATTERN } from "./paths.ts";
import type { MethodTable, PageRoute } from "./routes.ts";
import { type Handler, KNOWN_METHODS, type KnownMethod } from "./types.ts";

export interface RouteMatch {
  route: PageRoute;
  params: Record<string, string>;
}

export type RouteMatcher = (pathname: string) => RouteMatch | undefined;

interface Candidate {
  route: PageRoute;
  /** Set for routes without parameters: compared as a string. */
  literal?: string;
  pattern?: URLPattern;
}

/** Compiles the routes (already in match order) into one matcher function. */
export function createRouter(routes: PageRoute[]): RouteMatcher {
  const direct = new Map<string, PageRoute>();
  const ordered: Candidate[] = [];
  for (const route of routes) {
    if (IS_PATTERN.test(route.pattern)) {
      ordered.push({ route, pattern: compile(route.pattern) });
      continue;
    }
    // A string route goes into the Map only when no earlier pattern also matches its path;
    // otherwise it keeps its place in the ordered scan so precedence stays Fresh's.
    const shadowed = ordered.some((c) => c.pattern?.test({ pathname: route.pattern }));
    if (shadowed || direct.has(route.pattern)) ordered.push({ route, literal: route.pattern });
    else direct.set(route.pattern, route);
  }
  return (pathname) => {
    const hit = direct.get(pathname);
    if (hit) return { route: hit, params: {} };
    for (const candidate of ordered) {
      if (candidate.literal !== undefined) {
        if (candidate.literal === pathname) return { route: candidate.route, params: {} };
        continue;
      }
      const result = candidate.pattern!.exec({ pathname });
      if (result) return { route: candidate.route, params: decodeParams(result.pathname.groups) };
    }
    return undefined;
  };
}

/**
 * URLPattern's `/:rest*` needs at least the `/` before an empty rest, so it misses `/` itself;
 * a root catch-all (`routes/[...rest].tsx`) must also answer `/`, so it matches `(.*)` instead.
 */
function compile(pattern: string): URLPattern {
  return new URLPattern({ pathname: pattern.replace(/^\/:([\w$]+)\*/, "/:$1(.*)") });
}

function decodeParams(groups: Record<string, string | undefined>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(groups)) {
    params[name] = value === undefined ? "" : decodeSegment(value);
  }
  return params;
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // malformed escapes stay as sent rather than failing the request
  }
}

type AnyHandler = Handler<unknown, Record<string, unknown>>;

/**
 * The handler for `method`: the route's one `handler` function, its method entry, or a 405 that
 * lists the allowed methods in `Allow` (Fresh 1.x used `Accept`; our contract says `Allow`).
 */
export function selectMethod(route: PageRoute, method: string): AnyHandler {
  if (route.anyMethod) return route.anyMethod;
  const handler = route.methods[method as KnownMethod];
  return handler ?? methodNotAllowed(route.methods);
}

const notAllowedCache = new WeakMap<MethodTable, AnyHandler>();

function methodNotAllowed(methods: MethodTable): AnyHandler {
  let handler = notAllowedCache.get(methods);
  if (!handler) {
    const allow = KNOWN_METHODS.filter((method) => methods[method]).join(", ");
    handler = () => new Response(null, { status: 405, headers: { Allow: allow } });
    notAllowedCache.set(methods, handler);
  }
  return handler;
}
