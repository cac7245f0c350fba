/**
 * Bundles the browser code (boot, signals, one entry per island module) with ONE esbuild build,
 * so code splitting gives every island the same Preact and `@preact/signals` instance.
 * Used by the AOT build (`build.ts`) and by the in-memory dev build of `assets.ts`.
 */
import * as esbuild from "esbuild";
import { fileURLToPath as fromFileUrl } from "node:url";
import { basename } from "node:path";
import { denoImportMapPlugin } from "./esbuild_import_map.ts";
import { islandEntryName } from "./registry.ts";

/** `_fresh/snapshot.json`: what the server needs to link and serve a build. */
export interface FreshSnapshot {
  build_id: string;
  /** Entry name (`boot`, `signals`, `island-<Name>`) -> [its file, ...its static imports]. */
  files: Record<string, string[]>;
  /** Island module name -> the manifest key it was built from. */
  islands: Record<string, string>;
  /** Every emitted file; nothing else under `/_frsh/js/` is served. */
  assets: string[];
  /**
   * The project files the bundles were built from (relative to the root, packages left out), so
   * a dev server spots an outdated snapshot by their mtimes alone. Absent in older snapshots.
   */
  sources?: string[];
}

export interface BundleInput {
  /** Absolute project directory (where `_fresh/` and `node_modules/` live). */
  root: string;
  /** Island module name -> absolute file URL and manifest key. */
  islands: Record<string, { url: string; specifier: string }>;
  buildId: string;
  /** Keeps code readable; production builds minify. */
  dev?: boolean;
}

export interface BundleOutput {
  snapshot: FreshSnapshot;
  /** File name -> contents. */
  contents: Map<string, Uint8Array<ArrayBuffer>>;
}

const CLIENT_DIR = new URL("../client/", import.meta.url);
const BUILD_ID_MODULE = fromFileUrl(new URL("./build_id.ts", import.meta.url));

/** In the browser the build id is a constant; the server-side setter makes no sense there. */
const buildIdPlugin = (id: string): esbuild.Plugin => ({
  name: "fresh-build-id",
  setup(build) {
    build.onLoad({ filter: /build_id\.ts$/ }, (args) => {
      if (args.path !== BUILD_ID_MODULE) return undefined;
      const contents = `export const buildId = () => ${JSON.stringify(id)};\n` +
        `export const setBuildId = () => {};\n`;
      return { contents, loader: "js" };
    });
  },
});

/** Entry name of an output file: `island-Counter-AB12CD34.js` -> `island-Counter`. */
function entryOf(file: string): string {
  return file.replace(/-[A-Z0-9]{8}\.js$/, "");
}

/** Files a module needs before it can run: itself and its static imports, transitively. */
function staticClosure(file: string, imports: Map<string, string[]>): string[] {
  const closure = [file];
  for (let i = 0; i < closure.length; i++) {
    for (const dep of imports.get(closure[i]) ?? []) {
      if (!closure.includes(dep)) closure.push(dep);
    }
  }
  return closure;
}

/** esbuild's input paths, minus plugin namespaces (`ns:path`) and installed packages. */
function projectSources(inputs: string[]): string[] {
  return inputs.filter((path) => !path.includes(":") && !path.split("/").includes("node_modules"))
    .sort();
}

export async function bundleIslands(input: BundleInput): Promise<BundleOutput> {
  const entryPoints: Record<string, string> = {
    boot: fromFileUrl(new URL("boot.ts", CLIENT_DIR)),
    signals: fromFileUrl(new URL("signals.ts", CLIENT_DIR)),
  };
  for (const [name, { url }] of Object.entries(input.islands)) {
    entryPoints[islandEntryName(name)] = fromFileUrl(url);
  }
  const outdir = `${input.root}/_fresh/static`;
  const result = await esbuild.build({
    entryPoints,
    absWorkingDir: input.root,
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: !input.dev,
    treeShaking: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    metafile: true,
    write: false,
    logLevel: "silent",
    plugins: [buildIdPlugin(input.buildId), await denoImportMapPlugin(input.root)],
  });
  const contents = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const file of result.outputFiles) {
    contents.set(basename(file.path), new Uint8Array(file.contents));
  }
  const imports = new Map<string, string[]>();
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    const deps = output.imports.filter((dep) => dep.kind === "import-statement");
    imports.set(basename(path), deps.map((dep) => basename(dep.path)));
  }
  const files: Record<string, string[]> = {};
  for (const file of contents.keys()) {
    if (!file.startsWith("chunk-")) files[entryOf(file)] = staticClosure(file, imports);
  }
  const islands = Object.fromEntries(
    Object.entries(input.islands).map(([name, { specifier }]) => [name, specifier]),
  );
  const snapshot = {
    build_id: input.buildId,
    files,
    islands,
    assets: [...contents.keys()],
    sources: projectSources(Object.keys(result.metafile.inputs)),
  };
  return { snapshot, contents };
}

/** Ends esbuild's helper process so a CLI or a test can exit cleanly. */
export function stopBundler(): Promise<void> {
  return esbuild.stop();
}
