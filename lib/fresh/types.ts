/**
 * Public types of our Fresh 1.x contract. Names and shapes follow Fresh 1.x so that route files
 * type-check against both; the only deliberate difference is `unknown` where Fresh says `any`
 * (code that compiles here compiles against Fresh, not always the other way round).
 */
import type { ComponentChildren, ComponentType, VNode } from "preact";

/** What the pipeline matched a request to; middlewares use it to skip static files and 404s. */
export type Destination = "internal" | "static" | "route" | "notFound";

/** Options of `ctx.render(data, init)`: a normal `ResponseInit`. */
export type RenderOptions = ResponseInit;

/** The context every handler, middleware and page sees. */
export interface FreshContext<
  State = Record<string, unknown>,
  Data = unknown,
  NotFoundData = Data,
> {
  localAddr?: Deno.NetAddr;
  remoteAddr: Deno.NetAddr;
  url: URL;
  basePath: string;
  /** The matched route pattern (URLPattern syntax), `""` when nothing matched. */
  route: string;
  /** @deprecated Use `route`. */
  pattern: string;
  destination: Destination;
  params: Record<string, string>;
  isPartial: boolean;
  state: State;
  config: ResolvedFreshConfig;
  data: Data;
  /** Set for the `_500` page: what was thrown. */
  error?: unknown;
  codeFrame?: unknown;
  /** The next component of the render stack (used by `_app` and `_layout`). */
  Component: ComponentType<Record<never, never>>;
  render: (data?: Data, options?: RenderOptions) => Response | Promise<Response>;
  renderNotFound: (data?: NotFoundData) => Response | Promise<Response>;
  next: () => Promise<Response>;
}

/** @deprecated Fresh 1.x alias of `FreshContext`. */
export type HandlerContext<Data = unknown, State = Record<string, unknown>> = FreshContext<
  State,
  Data
>;
/** @deprecated Fresh 1.x alias of `FreshContext`. */
export type MiddlewareHandlerContext<State = Record<string, unknown>> = FreshContext<State>;

/** What a page component receives as props. */
export type PageProps<Data = unknown, State = Record<string, unknown>> = Omit<
  FreshContext<State, Data>,
  "render" | "next" | "renderNotFound"
>;
export type AppProps<Data = unknown, State = Record<string, unknown>> = PageProps<Data, State>;
export type LayoutProps<Data = unknown, State = Record<string, unknown>> = PageProps<Data, State>;
export type UnknownPageProps<Data = unknown, State = Record<string, unknown>> = PageProps<
  Data,
  State
>;
export type ErrorPageProps<Data = unknown, State = Record<string, unknown>> = PageProps<
  Data,
  State
>;

/** The second argument of an async route, layout or app component. */
export type RouteContext<Data = unknown, State = Record<string, unknown>> = Omit<
  FreshContext<State, Data>,
  "render" | "next"
>;

/** An async component: `async (req, ctx) => JSX | Response`. */
export type AsyncRoute<Data = unknown, State = Record<string, unknown>> = (
  req: Request,
  ctx: RouteContext<Data, State>,
) => Promise<ComponentChildren | Response>;

export type Handler<Data = unknown, State = Record<string, unknown>> = (
  req: Request,
  ctx: FreshContext<State, Data>,
) => Response | Promise<Response>;

export const KNOWN_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"] as const;
export type KnownMethod = typeof KNOWN_METHODS[number];

export type Handlers<Data = unknown, State = Record<string, unknown>> = {
  [K in KnownMethod]?: Handler<Data, State>;
};

export type MiddlewareHandler<State = Record<string, unknown>> = (
  req: Request,
  ctx: FreshContext<State>,
) => Response | Promise<Response>;

export interface RouteConfig {
  /** A URLPattern pathname string used instead of the file-system path. */
  routeOverride?: string;
  csp?: boolean;
  skipAppWrapper?: boolean;
  skipInheritedLayouts?: boolean;
}

/**
 * A module as the manifest holds it. Exports are `unknown` on purpose: a namespace object with
 * precisely typed handlers must satisfy `Manifest`; `routes.ts` checks the shapes at start-up.
 */
export interface RouteModule {
  default?: unknown;
  handler?: unknown;
  config?: RouteConfig;
}
export interface MiddlewareModule {
  handler?: unknown;
}
export type IslandModule = Record<string, unknown>;

export interface Manifest {
  routes: Record<string, RouteModule | MiddlewareModule>;
  islands: Record<string, IslandModule>;
  baseUrl: string;
}

export interface FreshConfig {
  /** Folder of static files, relative to the manifest's base URL. Default `static`. */
  staticDir?: string;
  build?: { outDir?: string; target?: string | string[] };
  router?: {
    /** Keep trailing slashes instead of redirecting `/a/` to `/a`. */
    trailingSlash?: boolean;
  };
  server?: Partial<Deno.ServeTcpOptions>;
  /** Prefix every route is served under, e.g. `/app`. Default none. */
  basePath?: string;
  /** @deprecated Use `server.port`. */
  port?: number;
  /** @deprecated Use `server.hostname`. */
  hostname?: string;
  /** @deprecated Use `server.onListen`. */
  onListen?: (params: { hostname: string; port: number }) => void;
  /** @deprecated Use `server.signal`. */
  signal?: AbortSignal;
}

/** `FreshConfig` with defaults applied and paths made absolute; what `ctx.config` holds. */
export interface ResolvedFreshConfig {
  /** Absolute path of the project root (the manifest's folder). */
  root: string;
  staticDir: string;
  build: { outDir: string; target: string | string[] };
  router: { trailingSlash: boolean };
  server: Partial<Deno.ServeTcpOptions>;
  basePath: string;
  dev: boolean;
}

/** Everything the final HTML step needs to know about the render that produced `vnode`. */
export interface DocumentInfo {
  /** The request being answered. */
  request: Request;
  /** The matched route pattern ("" for 404 and error pages). */
  route: string;
  /** Whether the route asked for a CSP (`config.csp`). */
  csp: boolean;
  config: ResolvedFreshConfig;
}

/** Turns the fully composed page tree into a complete HTML document string. */
export type DocumentRenderer = (vnode: VNode, info: DocumentInfo) => string | Promise<string>;

/**
 * Answers every request under `/_frsh/` (after middlewares, with `ctx.destination` "internal").
 * `undefined` means "no such file": the request gets the 404 page.
 */
export type InternalRequestHandler = (
  req: Request,
  url: URL,
) => Response | undefined | Promise<Response | undefined>;

/** The two seams the islands runtime plugs into (see lib/fresh/README.md). */
export interface PipelineHooks {
  renderDocument?: DocumentRenderer;
  handleInternal?: InternalRequestHandler;
  /** Build id used for static ETags and `?__frsh_c=` cache busting. */
  buildId?: string;
}
