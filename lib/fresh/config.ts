/** Applies `FreshConfig` defaults; paths are resolved against the manifest's folder. */
import type { FreshConfig, Manifest, ResolvedFreshConfig } from "./types.ts";

export function resolveConfig(manifest: Manifest, config: FreshConfig): ResolvedFreshConfig {
  const root = decodeURIComponent(new URL(".", manifest.baseUrl).pathname).replace(/\/$/, "");
  const absolute = (path: string) => path.startsWith("/") ? path : `${root}/${path}`;
  if (config.basePath) {
    throw new Error("FreshConfig.basePath is not supported by lib/fresh; serve the app at /.");
  }
  return {
    root,
    staticDir: absolute(config.staticDir ?? "static").replace(/\/$/, ""),
    build: {
      outDir: absolute(config.build?.outDir ?? "_fresh"),
      target: config.build?.target ?? "es2022",
    },
    router: { trailingSlash: config.router?.trailingSlash ?? false },
    server: {
      ...(config.port !== undefined ? { port: config.port } : {}),
      ...(config.hostname !== undefined ? { hostname: config.hostname } : {}),
      ...(config.onListen !== undefined ? { onListen: config.onListen } : {}),
      ...(config.signal !== undefined ? { signal: config.signal } : {}),
      ...config.server,
    },
    basePath: "",
    dev: false,
  };
}
