/**
 * `$fresh/server.ts`: the Fresh 1.x server API route files and `main.ts` import. Pointing the
 * `$fresh/` import map entry at real Fresh 1.x replaces all of lib/fresh.
 * @module
 */
import type { ComponentChildren } from "preact";
import { createServerHandler, type ServeHandler } from "./handler.ts";
import { islandPipelineHooks } from "./islands/mod.ts";
import type { FreshConfig, Manifest, PipelineHooks, RouteContext } from "./types.ts";

export type {
  AppProps,
  AsyncRoute,
  Destination,
  ErrorPageProps,
  FreshConfig,
  FreshContext,
  Handler,
  HandlerContext,
  Handlers,
  IslandModule,
  KnownMethod,
  LayoutProps,
  Manifest,
  MiddlewareHandler,
  MiddlewareHandlerContext,
  MiddlewareModule,
  PageProps,
  RenderOptions,
  RouteConfig,
  RouteContext,
  RouteModule,
  UnknownPageProps,
} from "./types.ts";
export type { ServeHandler } from "./handler.ts";
export { STATUS_CODE, type StatusCode } from "./status.ts";

/**
 * The islands runtime's seams (lib/fresh/README.md, "Seams"): the document renderer and the
 * `/_frsh/` handler. This is the one place they are wired in.
 */
function pipelineHooks(
  manifest: Manifest,
  config: FreshConfig,
): PipelineHooks | Promise<PipelineHooks> {
  return islandPipelineHooks(manifest, config);
}

/**
 * Builds the app's request handler, e.g. for tests:
 * @example
 * const handler = await createHandler(manifest);
 * const response = await handler(new Request("http://localhost/api/health"));
 */
export async function createHandler(
  manifest: Manifest,
  config: FreshConfig = {},
): Promise<ServeHandler> {
  return await createServerHandler(manifest, config, await pipelineHooks(manifest, config));
}

/** Serves the app with `Deno.serve` (port from `config.server.port`, default 8000). */
export async function start(manifest: Manifest, config: FreshConfig = {}): Promise<void> {
  const handler = await createHandler(manifest, config);
  const server = config.server ?? {};
  const options: Deno.ServeTcpOptions = {
    port: server.port ?? config.port ?? 8000,
    hostname: server.hostname ?? config.hostname,
    signal: server.signal ?? config.signal,
    onListen: server.onListen ?? config.onListen,
    onError: server.onError,
  };
  await Deno.serve(options, handler).finished;
}

type ComponentFunction<State> = (
  req: Request,
  ctx: RouteContext<void, State>,
) => ComponentChildren | Response | Promise<ComponentChildren | Response>;
type AsyncComponentFunction<State> = (
  req: Request,
  ctx: RouteContext<void, State>,
) => Promise<ComponentChildren | Response>;

/** Makes `fn` an async route (`async (req, ctx) => JSX | Response`), typed. */
export function defineRoute<State = Record<string, unknown>>(
  fn: ComponentFunction<State>,
): AsyncComponentFunction<State> {
  // Async-ness is how the renderer recognises (req, ctx) components, so always wrap.
  return async (req, ctx) => await fn(req, ctx);
}

/** Makes `fn` an async `_layout` component; render the page with `<ctx.Component />`. */
export function defineLayout<State = Record<string, unknown>>(
  fn: ComponentFunction<State>,
): AsyncComponentFunction<State> {
  return defineRoute(fn);
}

/** Makes `fn` an async `_app` component; render the page with `<ctx.Component />`. */
export function defineApp<State = Record<string, unknown>>(
  fn: ComponentFunction<State>,
): AsyncComponentFunction<State> {
  return defineRoute(fn);
}
