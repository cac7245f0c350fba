/**
 * Turns the manifest's `./routes/...` modules into route records: URL patterns, method tables,
 * middlewares, layouts and the special `_app`, `_404` and `_500` pages (Fresh 1.x conventions).
 */
import { type ComponentType, h } from "preact";
import {
  type Handler,
  KNOWN_METHODS,
  type KnownMethod,
  type Manifest,
  type MiddlewareHandler,
  type PageProps,
  type RouteConfig,
  type RouteModule,
} from "./types.ts";
import { pathToPattern, sortRoutePaths, toBaseRoute } from "./paths.ts";

/** A page or layout component: a plain component, or `async (req, ctx) => JSX | Response`. */
export type PageComponent = ComponentType<PageProps>;
type AnyHandler = Handler<unknown, Record<string, unknown>>;
export type MethodTable = Partial<Record<KnownMethod, AnyHandler>>;

interface Renderable {
  component?: PageComponent;
  csp: boolean;
  appWrapper: boolean;
  inheritLayouts: boolean;
}

export interface PageRoute extends Renderable {
  file: string;
  baseRoute: string;
  pattern: string;
  /** Set when the module exports one `handler` function: it answers every method. */
  anyMethod?: AnyHandler;
  methods: MethodTable;
}
export interface LayoutRoute extends Renderable {
  baseRoute: string;
}
export interface MiddlewareRoute {
  baseRoute: string;
  handlers: MiddlewareHandler[];
}
export interface SpecialPage extends Renderable {
  handler: AnyHandler;
}

export interface RouteTable {
  app?: PageComponent;
  layouts: LayoutRoute[];
  middlewares: MiddlewareRoute[];
  /** In Fresh's match order. */
  routes: PageRoute[];
  notFound: SpecialPage;
  error: SpecialPage;
}

const EXTENSION = /\.[jt]sx?$/;

/** Used when the app has no `_500`: says what happened, never why (no details leak). */
function DefaultErrorPage() {
  return h("p", null, "An error occurred during route handling or page rendering.");
}
const render: AnyHandler = (_req, ctx) => ctx.render();

/** Reads every route module of the manifest; throws on malformed exports. */
export function extractRoutes(manifest: Manifest): RouteTable {
  const table: RouteTable = {
    layouts: [],
    middlewares: [],
    routes: [],
    notFound: { handler: () => new Response(null, { status: 404 }), ...renderable({}) },
    error: { handler: render, ...renderable({ default: DefaultErrorPage }) },
  };
  const files = Object.keys(manifest.routes).sort(sortRoutePaths);
  for (const file of files) {
    const module = manifest.routes[file] as RouteModule;
    if (!file.startsWith("./routes/")) throw new TypeError(`${file}: not under ./routes/`);
    const path = file.slice("./routes/".length).replace(EXTENSION, "");
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name === "_middleware") {
      table.middlewares.push({
        baseRoute: toBaseRoute(path),
        handlers: middlewareList(file, module),
      });
    } else if (name === "_layout") {
      table.layouts.push({ baseRoute: toBaseRoute(path), ...renderable(module) });
    } else if (path === "_app") {
      table.app = component(file, module);
    } else if (path === "_404" || path === "_500") {
      const page = { handler: specialHandler(file, module), ...renderable(module) };
      if (path === "_404") table.notFound = page;
      else table.error = page;
    } else if (!path.startsWith("_")) {
      table.routes.push(pageRoute(file, path, module));
    }
  }
  return table;
}

function pageRoute(file: string, path: string, module: RouteModule): PageRoute {
  if (module.handler === undefined && "handlers" in module) {
    throw new Error(`${file} exports "handlers"; the export must be named "handler".`);
  }
  const page = renderable(module, file);
  const route: PageRoute = {
    file,
    baseRoute: toBaseRoute(path),
    pattern: module.config?.routeOverride ?? pathToPattern(path),
    methods: {},
    ...page,
  };
  const { handler } = module;
  if (typeof handler === "function") {
    route.anyMethod = handler as AnyHandler;
    return route;
  }
  if (handler !== undefined && (handler === null || typeof handler !== "object")) {
    throw new TypeError(`${file}: "handler" must be a function or an object of methods.`);
  }
  const given = (handler ?? {}) as Record<string, unknown>;
  for (const method of KNOWN_METHODS) {
    const fn = given[method];
    if (typeof fn === "function") route.methods[method] = fn as AnyHandler;
  }
  if (page.component && !route.methods.GET) route.methods.GET = render;
  if (route.methods.GET && !route.methods.HEAD) route.methods.HEAD = headFromGet(route.methods.GET);
  return route;
}

/** HEAD answers exactly like GET (status, headers) without a body. */
function headFromGet(get: AnyHandler): AnyHandler {
  return async (req, ctx) => {
    const response = await get(req, ctx);
    await response.body?.cancel();
    const { status, statusText, headers } = response;
    return new Response(null, { status, statusText, headers });
  };
}

function specialHandler(file: string, module: RouteModule): AnyHandler {
  if (typeof module.handler === "function") return module.handler as AnyHandler;
  if (module.handler !== undefined) {
    const get = (module.handler as Record<string, unknown>).GET;
    if (typeof get === "function") return get as AnyHandler;
    throw new TypeError(`${file}: "handler" must be a function.`);
  }
  if (module.default === undefined) throw new TypeError(`${file}: needs a default export.`);
  return render;
}

function middlewareList(file: string, module: RouteModule): MiddlewareHandler[] {
  const list = Array.isArray(module.handler) ? module.handler : [module.handler];
  for (const fn of list) {
    if (typeof fn !== "function") {
      throw new TypeError(`${file}: "handler" must be a function or an array of functions.`);
    }
  }
  return list as MiddlewareHandler[];
}

function component(file: string, module: RouteModule): PageComponent | undefined {
  const value = module.default;
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${file}: the default export must be a component.`);
  }
  return value as PageComponent | undefined;
}

function renderable(module: RouteModule, file = "?"): Renderable {
  const config: RouteConfig = module.config ?? {};
  return {
    component: component(file, module),
    csp: Boolean(config.csp),
    appWrapper: !config.skipAppWrapper,
    inheritLayouts: !config.skipInheritedLayouts,
  };
}

/** Items whose base route is the given base route or one of its parents, root first. */
export function selectShared<T extends { baseRoute: string }>(baseRoute: string, items: T[]): T[] {
  return items.filter((item) =>
    item.baseRoute === baseRoute || item.baseRoute === "/" ||
    baseRoute.startsWith(item.baseRoute + "/")
  );
}
