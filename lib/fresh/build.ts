/**
 * AOT build: `deno task build` (= `deno run -A lib/fresh/build.ts [project dir]`).
 *
 * Bundles the browser code of every island in the project's manifest (`fresh.gen.ts`) into
 * `_fresh/static/` with content-hashed names and writes `_fresh/snapshot.json`, which the
 * server loads at start-up. The build id comes from DENO_DEPLOY_BUILD_ID, GITHUB_SHA or chance.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { bundleIslands, type BundleOutput, stopBundler } from "./islands/bundle.ts";
import { createBuildId } from "./islands/build_id.ts";
import { collectIslands, type IslandManifest } from "./islands/registry.ts";

export interface BuildOptions {
  /** Absolute project folder (holds `fresh.gen.ts`; `_fresh/` is written there). */
  root: string;
  manifest: IslandManifest;
  buildId?: string;
  /** Output folder; default `<root>/_fresh`. */
  outDir?: string;
}

/** Builds and writes `_fresh/`, replacing any previous build. */
export async function build(options: BuildOptions): Promise<BundleOutput> {
  const modules: Record<string, { url: string; specifier: string }> = {};
  for (const island of collectIslands(options.manifest)) {
    modules[island.name] = { url: island.url, specifier: island.specifier };
  }
  const buildId = options.buildId ?? await createBuildId();
  const output = await bundleIslands({ root: options.root, islands: modules, buildId });
  const outDir = options.outDir ?? `${options.root}/_fresh`;
  await Deno.remove(outDir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await Deno.mkdir(`${outDir}/static`, { recursive: true });
  for (const [file, contents] of output.contents) {
    await Deno.writeFile(`${outDir}/static/${file}`, contents);
  }
  await Deno.writeTextFile(
    `${outDir}/snapshot.json`,
    JSON.stringify(output.snapshot, null, 2) + "\n",
  );
  return output;
}

/** Gzipped bytes of an entry and its static imports: what a first visit downloads for it. */
export function gzippedSize(output: BundleOutput, entry: string): number {
  const files = output.snapshot.files[entry] ?? [];
  return files.reduce((sum, file) => sum + gzipSync(output.contents.get(file)!).length, 0);
}

async function main(): Promise<void> {
  const root = resolve(Deno.args[0] ?? Deno.cwd());
  const manifestUrl = pathToFileURL(`${root}/fresh.gen.ts`).href;
  const { default: manifest } = await import(manifestUrl).catch((error) => {
    throw new Error(`Cannot load ${manifestUrl}; run \`deno task manifest\` first`, {
      cause: error,
    });
  }) as { default: IslandManifest };
  try {
    const output = await build({ root, manifest });
    const { build_id, files } = output.snapshot;
    console.log(`Built ${Object.keys(files).length} entries into ${root}/_fresh (${build_id})`);
    for (const entry of Object.keys(files).sort()) {
      console.log(`  ${entry}: ${(gzippedSize(output, entry) / 1024).toFixed(1)} KiB gzipped`);
    }
  } finally {
    await stopBundler();
  }
}

if (import.meta.main) await main();
