/**
 * The browser bundles of a running server: loaded from `_fresh/` (written by `deno task build`)
 * or, in development when no snapshot exists, built in memory at start-up; then served under
 * `/_frsh/js/<BUILD_ID>/<file>` with an immutable Cache-Control (names are content-hashed and
 * the build id is in the path, so a URL never changes meaning).
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import { dirname } from "node:path";
// Type only: bundle.ts pulls in esbuild, which a server on a current snapshot never needs.
import type { FreshSnapshot } from "./bundle.ts";
import { createBuildId, setBuildId } from "./build_id.ts";
import type { IslandRecord } from "./registry.ts";

export const ASSET_PREFIX = "/_frsh/js/";

export interface IslandAssets {
  snapshot: FreshSnapshot;
  contents: Map<string, Uint8Array<ArrayBuffer>>;
  /** Where the assets came from, for the start-up log. */
  source: "snapshot" | "memory";
}

/**
 * - `snapshot`: `_fresh/snapshot.json` must exist and match the islands (production).
 * - `memory`: always bundle in memory at start-up (ignores `_fresh/`).
 * - `auto` (default): in production (`DENO_DEPLOYMENT_ID` set) like `snapshot`; elsewhere the
 *   snapshot when it covers every island and no file under islands/, components/, lib/ or
 *   routes/ is newer (so `deno task dev` never serves stale bundles), else bundle in memory.
 */
export type AssetMode = "auto" | "snapshot" | "memory";

export class MissingBuildError extends Error {
  override name = "MissingBuildError";
}

/** The project root is the folder of `fresh.gen.ts` (the manifest's baseUrl). */
export function projectRoot(baseUrl: string): string {
  return dirname(fromFileUrl(baseUrl));
}

function islandModules(islands: IslandRecord[]) {
  return Object.fromEntries(islands.map((i) => [i.name, { url: i.url, specifier: i.specifier }]));
}

/** Names of islands the snapshot lacks; non-empty means the build is stale. */
function missingFromSnapshot(snapshot: FreshSnapshot, islands: IslandRecord[]): string[] {
  return islands.filter((island) => snapshot.islands[island.name] !== island.specifier)
    .map((island) => island.specifier);
}

async function readSnapshot(outDir: string): Promise<FreshSnapshot | null> {
  try {
    return JSON.parse(await Deno.readTextFile(`${outDir}/snapshot.json`)) as FreshSnapshot;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

async function fromSnapshot(outDir: string, snapshot: FreshSnapshot): Promise<IslandAssets> {
  const contents = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const file of snapshot.assets) {
    contents.set(file, await Deno.readFile(`${outDir}/static/${file}`));
  }
  return { snapshot, contents, source: "snapshot" };
}

async function inMemory(root: string, islands: IslandRecord[]): Promise<IslandAssets> {
  const { bundleIslands, stopBundler } = await import("./bundle.ts");
  try {
    const buildId = await createBuildId();
    const built = await bundleIslands({
      root,
      islands: islandModules(islands),
      buildId,
      dev: true,
    });
    return { ...built, source: "memory" };
  } finally {
    await stopBundler();
  }
}

/** Folders whose code can end up in a browser bundle; used to spot an outdated snapshot. */
const SOURCE_DIRS = ["islands", "components", "lib", "routes"];
/** What shapes the bundles besides their sources: the bundler and the import map. */
const BUNDLER_FILES = [
  fromFileUrl(new URL("./bundle.ts", import.meta.url)),
  fromFileUrl(new URL("./esbuild_import_map.ts", import.meta.url)),
];

/** Modification time in ms; `undefined` when the file is gone. */
async function modifiedAt(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? 0;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * True when something the bundles were built from changed after the snapshot was written (e.g.
 * under `deno task dev`): with the snapshot's `sources` list, only those files (a few stats, so
 * an edit elsewhere in lib/ keeps the snapshot); without one, every file under SOURCE_DIRS.
 */
async function snapshotOutdated(
  root: string,
  outDir: string,
  snapshot: FreshSnapshot,
): Promise<boolean> {
  const built = (await Deno.stat(`${outDir}/snapshot.json`)).mtime?.getTime() ?? 0;
  if (!snapshot.sources) return await anyFileNewer(root, built);
  const sources = await Promise.all(snapshot.sources.map((file) => modifiedAt(`${root}/${file}`)));
  if (sources.some((mtime) => mtime === undefined || mtime > built)) return true;
  const extras = [...BUNDLER_FILES, `${root}/deno.json`];
  return (await Promise.all(extras.map(modifiedAt))).some((mtime) => (mtime ?? 0) > built);
}

async function anyFileNewer(root: string, built: number): Promise<boolean> {
  const pending = SOURCE_DIRS.map((dir) => `${root}/${dir}`);
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    try {
      for await (const entry of Deno.readDir(dir)) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory) pending.push(path);
        else if (((await Deno.stat(path)).mtime?.getTime() ?? 0) > built) return true;
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return false;
}

/**
 * Loads or builds the bundles and makes their build id the process-wide `BUILD_ID`.
 * `root` is the project folder (bundling resolves `node_modules` from there); `outDir` the
 * build output folder, `<root>/_fresh` by default.
 */
export async function loadIslandAssets(
  root: string,
  islands: IslandRecord[],
  mode: AssetMode = "auto",
  outDir = `${root}/_fresh`,
): Promise<IslandAssets> {
  const production = Deno.env.has("DENO_DEPLOYMENT_ID");
  const snapshot = mode === "memory" ? null : await readSnapshot(outDir);
  const missing = snapshot ? missingFromSnapshot(snapshot, islands) : [];
  let assets: IslandAssets;
  if (
    snapshot && missing.length === 0 &&
    (mode === "snapshot" || production || !await snapshotOutdated(root, outDir, snapshot))
  ) {
    assets = await fromSnapshot(outDir, snapshot);
  } else if (islands.length === 0) {
    // Nothing ever ships JavaScript, so there is nothing to build or fail over.
    const empty = { build_id: await createBuildId(), files: {}, islands: {}, assets: [] };
    assets = { snapshot: empty, contents: new Map(), source: "memory" };
  } else if (mode === "snapshot" || (mode === "auto" && production)) {
    const why = snapshot ? `is stale (missing ${missing.join(", ")})` : "was not found";
    throw new MissingBuildError(
      `${outDir}/snapshot.json ${why}. Run \`deno task build\` before starting.`,
    );
  } else {
    assets = await inMemory(root, islands);
  }
  setBuildId(assets.snapshot.build_id);
  return assets;
}

const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * Answers a request under `/_frsh/js/`: the file of the current build, or `undefined` (the
 * caller's 404) for anything else: an old build id, an unknown name, more path segments.
 */
export function serveIslandAsset(request: Request, assets: IslandAssets): Response | undefined {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("Method Not Allowed", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  const path = new URL(request.url).pathname.slice(ASSET_PREFIX.length);
  const [buildId, file, ...rest] = path.split("/");
  const body = buildId === assets.snapshot.build_id && rest.length === 0
    ? assets.contents.get(file)
    : undefined;
  if (body === undefined) return undefined;
  const headers = {
    "content-type": "text/javascript; charset=utf-8",
    "content-length": String(body.byteLength),
    "cache-control": IMMUTABLE,
  };
  return new Response(request.method === "HEAD" ? null : body, { headers });
}
