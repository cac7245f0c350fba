/**
 * Lets esbuild resolve what Deno resolves: entries of `deno.json` "imports" (`$fresh/`, `@/`,
 * `preact`, ...) and `npm:` specifiers. Packages always end up as bare names resolved through
 * `node_modules` (nodeModulesDir), so the whole bundle shares one copy of each package.
 */
import type * as esbuild from "esbuild";
import { dirname, resolve } from "node:path";

type ImportMap = Record<string, string>;

async function findDenoJson(start: string): Promise<string | null> {
  for (let dir = start;; dir = dirname(dir)) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      try {
        await Deno.stat(`${dir}/${name}`);
        return `${dir}/${name}`;
      } catch { /* keep looking upwards */ }
    }
    if (dirname(dir) === dir) return null;
  }
}

/** `npm:/preact@10.29.8/hooks` -> `preact/hooks`, `npm:@preact/signals@2` -> `@preact/signals`. */
export function npmToBare(specifier: string): string {
  const match = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(\/.*)?$/.exec(specifier);
  if (!match) throw new Error(`Cannot bundle npm specifier ${specifier}`);
  return `${match[1]}${match[2] ?? ""}`;
}

/** Applies the import map like Deno: exact keys, else the longest matching `prefix/` key. */
function mapSpecifier(specifier: string, imports: ImportMap, baseDir: string): string | null {
  let target: string | undefined = imports[specifier];
  if (target === undefined) {
    const prefix = Object.keys(imports)
      .filter((key) => key.endsWith("/") && specifier.startsWith(key))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix === undefined) return null;
    target = imports[prefix] + specifier.slice(prefix.length);
  }
  if (target.startsWith("npm:")) return npmToBare(target);
  if (target.startsWith("./") || target.startsWith("../")) return resolve(baseDir, target);
  throw new Error(
    `Cannot bundle ${specifier}: its import map target ${target} is not local or npm`,
  );
}

export async function denoImportMapPlugin(root: string): Promise<esbuild.Plugin> {
  const configPath = await findDenoJson(root);
  const config = configPath ? JSON.parse(await Deno.readTextFile(configPath)) : {};
  const imports: ImportMap = config.imports ?? {};
  const baseDir = configPath ? dirname(configPath) : root;
  return {
    name: "deno-import-map",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === "mapped") return undefined;
        const mapped = args.path.startsWith("npm:")
          ? npmToBare(args.path)
          : mapSpecifier(args.path, imports, baseDir);
        if (mapped === null || mapped === args.path) return undefined;
        if (mapped.startsWith("/")) return { path: mapped };
        // A bare package name: let esbuild find it in node_modules, skipping this plugin.
        const { kind, importer, resolveDir } = args;
        const found = await build.resolve(mapped, {
          kind,
          importer,
          resolveDir,
          pluginData: "mapped",
        });
        return found.errors.length > 0 ? { errors: found.errors } : { path: found.path };
      });
    },
  };
}
