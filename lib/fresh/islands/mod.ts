/**
 * The islands half of `lib/fresh`, as the server half uses it (see lib/fresh/README.md):
 *
 * ```ts
 * const hooks = await islandPipelineHooks(manifest, config); // once, at start-up
 * hooks.renderDocument(vnode, info);  // page tree -> final HTML document string
 * hooks.handleInternal(req, url);     // /_frsh/js/<BUILD_ID>/<file>, else undefined (404)
 * ```
 */
import type { ComponentChildren } from "preact";
import { fileURLToPath } from "node:url";
import type { FreshConfig, Manifest, PipelineHooks } from "../types.ts";
import { collectIslands, type IslandManifest, type IslandRecord } from "./registry.ts";
import { registerIslands } from "./ssr.ts";
import {
  ASSET_PREFIX,
  type AssetMode,
  type IslandAssets,
  loadIslandAssets,
  projectRoot,
  serveIslandAsset,
} from "./assets.ts";
import { renderIslandPage } from "./document.ts";

export type { AssetMode, IslandManifest, IslandRecord };
export { ASSET_PREFIX, MissingBuildError } from "./assets.ts";

export interface IslandRuntime {
  /** Id of the loaded build (also what `asset()` appends). */
  buildId: string;
  islands: IslandRecord[];
  assets: IslandAssets;
  /** Renders the whole page tree to the final HTML document, islands wired up. */
  renderPage(tree: ComponentChildren): string;
  /** Serves a bundle file under `/_frsh/js/`; `undefined` when there is no such file. */
  serveAsset(request: Request): Response | undefined;
}

export interface IslandRuntimeOptions {
  /** See `AssetMode`; default `auto`. */
  mode?: AssetMode;
  /** Project folder; default: the folder of `manifest.baseUrl`. */
  root?: string;
  /** Build output folder holding `snapshot.json` and `static/`; default `<root>/_fresh`. */
  outDir?: string;
}

export async function createIslandRuntime(
  manifest: IslandManifest,
  options: IslandRuntimeOptions = {},
): Promise<IslandRuntime> {
  const islands = collectIslands(manifest);
  registerIslands(islands);
  const root = options.root ?? projectRoot(manifest.baseUrl);
  const assets = await loadIslandAssets(root, islands, options.mode, options.outDir);
  return {
    buildId: assets.snapshot.build_id,
    islands,
    assets,
    renderPage: (tree) => renderIslandPage(tree, assets.snapshot),
    serveAsset: (request) => serveIslandAsset(request, assets),
  };
}

/** The server pipeline's seams, filled by the islands runtime. */
export async function islandPipelineHooks(
  manifest: Manifest,
  config: FreshConfig = {},
  mode?: AssetMode,
): Promise<PipelineHooks> {
  const root = projectRoot(manifest.baseUrl);
  const outDir = config.build?.outDir
    ? fileURLToPath(new URL(config.build.outDir, manifest.baseUrl))
    : undefined;
  const runtime = await createIslandRuntime(manifest, { root, outDir, mode });
  if (runtime.islands.length > 0) {
    const from = runtime.assets.source === "snapshot"
      ? "the _fresh snapshot"
      : "an in-memory build";
    console.log(
      `Islands: ${runtime.islands.length} served from ${from} (build ${runtime.buildId})`,
    );
  }
  return {
    buildId: runtime.buildId,
    renderDocument: (vnode) => runtime.renderPage(vnode),
    handleInternal: (req, url) =>
      url.pathname.startsWith(ASSET_PREFIX) ? runtime.serveAsset(req) : undefined,
  };
}
