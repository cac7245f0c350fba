/**
 * Island registration: which components are islands, and what they are called.
 *
 * Mirrors Fresh 1.x: every exported function of a module listed in `manifest.islands` is an
 * island. Its `name` is the module path under `islands/` PascalCased into an identifier, and its
 * `id` (used in markers, the state table and the build) is `${name}_${export}` lowercased.
 */
import type { FunctionComponent } from "preact";

/** Props as they reach an island: a plain record, `children` included. */
export type IslandProps = Record<string, unknown>;

/** The part of a Fresh manifest islands need; structurally compatible with `Manifest`. */
export interface IslandManifest {
  islands: Record<string, Record<string, unknown>>;
  baseUrl: string;
}

export interface IslandRecord {
  /** Marker and state id, e.g. `counter_default`. */
  id: string;
  /** PascalCased module name, e.g. `Counter` for `./islands/counter.tsx`. */
  name: string;
  /** Export that holds the component (`default` or a named export). */
  exportName: string;
  /** Manifest key, e.g. `./islands/Counter.tsx`. */
  specifier: string;
  /** Absolute file URL of the module, used as a build entry point. */
  url: string;
  component: FunctionComponent<IslandProps>;
}

/**
 * Turns a manifest key into the island's module name.
 *
 * @example islandName("./islands/admin/booking-list.tsx") // "AdminBookingList"
 */
export function islandName(specifier: string): string {
  const withoutExt = specifier.replace(/\.[cm]?[jt]sx?$/, "");
  const withoutDir = withoutExt.replace(/^\.\/(routes\/.*\(_islands\)\/|islands\/)/, "");
  const words = withoutDir.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  const pascal = words.map((word) => word[0].toUpperCase() + word.slice(1)).join("");
  // An identifier cannot start with a digit; Fresh prefixes those too.
  return /^[0-9]/.test(pascal) ? `_${pascal}` : pascal || "_";
}

/** Build entry name of an island module; the bundle is `island-<Name>-<hash>.js`. */
export function islandEntryName(name: string): string {
  return `island-${name}`;
}

/** Collects one record per exported function of every island module, sorted by id. */
export function collectIslands(manifest: IslandManifest): IslandRecord[] {
  const records: IslandRecord[] = [];
  const seen = new Map<string, string>();
  for (const [specifier, module] of Object.entries(manifest.islands)) {
    const name = islandName(specifier);
    const url = new URL(specifier, manifest.baseUrl).href;
    for (const [exportName, value] of Object.entries(module)) {
      if (typeof value !== "function") continue;
      const id = `${name}_${exportName}`.toLowerCase();
      const clash = seen.get(id);
      if (clash !== undefined && clash !== specifier) {
        throw new Error(`Island id "${id}" is produced by both ${clash} and ${specifier}`);
      }
      seen.set(id, specifier);
      const component = value as FunctionComponent<IslandProps>;
      records.push({ id, name, exportName, specifier, url, component });
    }
  }
  return records.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
