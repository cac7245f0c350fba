/**
 * The build id: one value per deployed build, used in static ETags, `asset()` cache busting and
 * the `/_frsh/js/<BUILD_ID>/` bundle path. The AOT build writes it to `_fresh/snapshot.json`;
 * whoever loads that snapshot at start-up calls `setBuildId` before `createHandler`.
 */

function fromEnvironment(): string | undefined {
  try {
    return Deno.env.get("DENO_DEPLOY_BUILD_ID") ?? Deno.env.get("DENO_DEPLOYMENT_ID") ??
      Deno.env.get("GITHUB_SHA");
  } catch {
    return undefined; // no --allow-env: fall back to a per-process id
  }
}

let current = fromEnvironment() ?? crypto.randomUUID();

/** The current build id. */
export function getBuildId(): string {
  return current;
}

/** Replaces the build id (e.g. with the one from `_fresh/snapshot.json`). */
export function setBuildId(id: string): void {
  current = id;
}
