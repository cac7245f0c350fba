/**
 * `$fresh/runtime.ts`: helpers usable on the server and in islands.
 */
import { buildId } from "./islands/build_id.ts";

/** True in the browser, false during server rendering. */
export const IS_BROWSER = typeof document !== "undefined";

/**
 * Adds the build id to a local static path so it can be cached forever: the server answers
 * `?__frsh_c=<BUILD_ID>` with an immutable Cache-Control, and a new build changes the URL.
 * External URLs and non-absolute paths are returned unchanged.
 *
 * @example asset("/logo.svg") // "/logo.svg?__frsh_c=3f2a…"
 */
export function asset(path: string): string {
  if (!path.startsWith("/") || path.startsWith("//")) return path;
  try {
    const url = new URL(path, "https://fresh.invalid");
    if (url.searchParams.has("__frsh_c")) return path;
    url.searchParams.set("__frsh_c", buildId());
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return path;
  }
}
