/**
 * The request pipeline. Everything that can be decided once (routes, patterns, middleware
 * chains, layout stacks, the static file index) is compiled in `createServerHandler`; a request
 * then costs one Map lookup on static routes plus the handlers it actually runs.
 *
 * Order per request: collapse `//`, 307 on a trailing slash, then `/_frsh/*` (the internal
 * seam) → static files → routes → 404; matching middlewares run first, root first, for every
 * destination. Anything thrown goes to the `_500` page with `ctx.error` set.
 */
import { buildId as currentBuildId } from "./islands/build_id.ts";
import { PageRenderer, renderDocument, type RenderTarget } from "./render.ts";
import { extractRoutes, type PageRoute, selectShared } from "./routes.ts";
import { createRouter, selectMethod } from "./router.ts";
import { findStaticFile, indexStaticFiles, serveStaticFile } from "./static.ts";
import { resolveConfig } from "./config.ts";
import type {
  Destination,
  FreshConfig,
  FreshContext,
  Manifest,
  MiddlewareHandler,
  PipelineHooks,
  RenderOptions,
} from "./types.ts";

export type ServeHandler = (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response>;

type Step = () => Response | Promise<Response>;

const UNKNOWN_ADDR: Deno.NetAddr = { transport: "tcp", hostname: "0.0.0.0", port: 0 };
const INTERNAL_PREFIX = "/_frsh/";

/** Builds the request handler for a manifest; `hooks` are the islands runtime's seams. */
export async function createServerHandler(
  manifest: Manifest,
  freshConfig: FreshConfig = {},
  hooks: PipelineHooks = {},
): Promise<ServeHandler> {
  const config = resolveConfig(manifest, freshConfig);
  const buildId = hooks.buildId ?? currentBuildId();
  const table = extractRoutes(manifest);
  const match = createRouter(table.routes);
  const staticFiles = await indexStaticFiles(config.staticDir, buildId);
  const renderer = new PageRenderer(table, hooks.renderDocument ?? renderDocument);
  const flatten = (base: string) =>
    selectShared(base, table.middlewares).flatMap((m) => m.handlers);
  const rootMiddlewares = flatten("/");
  const routeMiddlewares = new Map<PageRoute, MiddlewareHandler[]>(
    table.routes.map((route) => [route, flatten(route.baseRoute)]),
  );
  const rootTarget = (page: Omit<RenderTarget, "baseRoute">): RenderTarget => ({
    ...page,
    baseRoute: "/",
  });
  const notFoundTarget = rootTarget(table.notFound);
  const errorTarget = rootTarget(table.error);

  return async function handle(req, info) {
    const url = new URL(req.url);
    if (url.pathname.includes("//")) url.pathname = url.pathname.replace(/\/{2,}/g, "/");
    const { pathname } = url;
    if (!config.router.trailingSlash && pathname.length > 1 && pathname.endsWith("/")) {
      const location = pathname.replace(/\/+$/, "") + url.search;
      return new Response(null, { status: 307, headers: { Location: location } });
    }

    const ctx = newContext(url, config, info);
    const renderPage =
      (target: RenderTarget, status: number) => (data?: unknown, options?: RenderOptions) => {
        ctx.data = data;
        return renderer.render(req, ctx, target, status, options);
      };
    const renderNotFound = (data?: unknown) => {
      const render404 = renderPage(notFoundTarget, 404);
      // The `_404` handler usually calls `render()`: the data given here is the default.
      ctx.render = (pageData, options) => render404(pageData ?? data, options);
      ctx.data = data;
      return table.notFound.handler(req, ctx);
    };
    ctx.renderNotFound = renderNotFound;
    ctx.render = renderPage(notFoundTarget, 404);

    let destination: Destination;
    let middlewares = rootMiddlewares;
    let final: Step;
    const staticFile = findStaticFile(staticFiles, pathname);
    const routeMatch = staticFile ? undefined : match(pathname);
    if (hooks.handleInternal && pathname.startsWith(INTERNAL_PREFIX)) {
      const internal = hooks.handleInternal;
      destination = "internal";
      final = async () => (await internal(req, url)) ?? renderNotFound();
    } else if (staticFile) {
      destination = "static";
      final = () => serveStaticFile(req, url, staticFile, buildId);
    } else if (routeMatch) {
      const { route, params } = routeMatch;
      destination = "route";
      middlewares = routeMiddlewares.get(route)!;
      Object.assign(ctx, { params, route: route.pattern, pattern: route.pattern });
      ctx.render = renderPage(route, 200);
      const handler = selectMethod(route, req.method);
      final = () => handler(req, ctx);
    } else {
      destination = "notFound";
      final = () => table.notFound.handler(req, ctx);
    }
    ctx.destination = destination;

    const chain: Step[] = [...middlewares.map((mw) => () => mw(req, ctx)), final];
    let position = 0;
    ctx.next = () => {
      const step = chain[position++];
      if (!step) return Promise.reject(new Error("ctx.next() called after the route handler."));
      try {
        return Promise.resolve(step());
      } catch (error) {
        // Fresh 1.x: a synchronous NotFound from any handler renders the 404 page.
        if (error instanceof Deno.errors.NotFound) return Promise.resolve(renderNotFound());
        return Promise.reject(error);
      }
    };

    try {
      return asResponse(await ctx.next());
    } catch (error) {
      return await renderError(error);
    }

    async function renderError(error: unknown): Promise<Response> {
      console.error(`[fresh] ${req.method} ${pathname} failed:`, error);
      ctx.error = error;
      ctx.render = renderPage(errorTarget, 500);
      try {
        return asResponse(await table.error.handler(req, ctx));
      } catch (pageError) {
        console.error("[fresh] the error page failed too:", pageError);
        return new Response("Internal Server Error", {
          status: 500,
          headers: { "Content-Type": "text/plain; charset=utf-8" },
        });
      }
    }
  };
}

function asResponse(value: unknown): Response {
  if (value instanceof Response) return value;
  throw new TypeError(`A handler returned ${typeof value} instead of a Response.`);
}

function newContext(url: URL, config: FreshContext["config"], info?: Deno.ServeHandlerInfo) {
  const unset = () => Promise.reject(new Error("not available here"));
  const ctx: FreshContext = {
    url,
    params: {},
    state: {},
    data: undefined,
    route: "",
    pattern: "",
    basePath: config.basePath,
    destination: "route",
    remoteAddr: (info?.remoteAddr as Deno.NetAddr | undefined) ?? UNKNOWN_ADDR,
    isPartial: url.searchParams.has("fresh-partial"),
    config,
    error: undefined,
    codeFrame: undefined,
    Component: () => null,
    render: unset,
    renderNotFound: unset,
    next: unset,
  };
  return ctx;
}
