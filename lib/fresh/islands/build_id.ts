/**
 * The id of the current build: part of asset URLs, so a new deploy never serves old bundles
 * from caches. The server sets it from the snapshot; the browser bundle gets this module
 * replaced by a constant at build time (see `bundle.ts`).
 */
let current = "dev";

export function buildId(): string {
  return current;
}

export function setBuildId(id: string): void {
  current = id;
}

/**
 * A fresh build id from the deploy's own revision id when there is one, else random.
 * Hashed so it is URL-safe and does not leak the raw revision.
 */
export async function createBuildId(): Promise<string> {
  const source = Deno.env.get("DENO_DEPLOY_BUILD_ID") ?? Deno.env.get("GITHUB_SHA") ??
    crypto.randomUUID();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(source));
  return Array.from(new Uint8Array(digest).slice(0, 10), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}
