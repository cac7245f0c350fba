/**
 * Optional error reporting to Sentry (`SENTRY_DSN`) through `@sentry/deno`. Only errors we
 * capture explicitly are sent — unhandled ones in routes (root middleware), dispatch and cron —
 * with release = build id, the environment and our ids as tags, and every event is scrubbed
 * (scrub.ts) first. Without a DSN every function here is a cheap no-op and the SDK is never
 * loaded.
 * @module
 */
// Type only: `@sentry/deno` is a large graph, loaded by initSentry only when a DSN is set.
import type * as SentrySdk from "@sentry/deno";
import { buildId } from "../fresh/islands/build_id.ts";
import { log } from "../log.ts";
import { currentRequestId } from "../request_id.ts";
import { SAFE_TAGS, scrubEvent } from "./scrub.ts";

export type ErrorArea = "route" | "dispatch" | "cron" | "startup";
type SafeTag = typeof SAFE_TAGS[number];

/** What we know about where an error happened: ids and names only. */
export type ErrorContext = { area: ErrorArea } & Partial<Record<SafeTag, string | number>>;

/** The loaded SDK while reporting is on; undefined means every function here is a no-op. */
let sdk: typeof SentrySdk | undefined;
/** Errors already reported, so the middleware and the 500 page don't both send one. */
const reported = new WeakSet<object>();

/** The release an event belongs to: the islands build id, else the deploy's build id. */
export function releaseName(): string {
  const id = buildId();
  return id !== "dev" ? id : Deno.env.get("DENO_DEPLOY_BUILD_ID") ?? "dev";
}

/**
 * Loads the SDK and starts reporting. Only our own integrations: no console or fetch
 * breadcrumbs (they would carry URLs and log text), no global handlers that change how the
 * process exits.
 *
 * @example
 * await initSentry({ dsn: "https://key@o1.ingest.sentry.io/42", environment: "production" });
 */
export async function initSentry(options: { dsn: string; environment: string }): Promise<void> {
  const Sentry = await import("@sentry/deno");
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    // No release here: the build id is known only once the handler is built; beforeSend sets it.
    defaultIntegrations: false,
    integrations: [Sentry.dedupeIntegration(), Sentry.linkedErrorsIntegration()],
    sendDefaultPii: false,
    maxBreadcrumbs: 0,
    beforeBreadcrumb: () => null,
    beforeSend: (event) => scrubEvent({ ...event, release: releaseName() }),
  });
  sdk = Sentry;
}

/** Stops reporting and waits for queued events (shutdown, tests). */
export async function closeSentry(timeoutMs = 2000): Promise<void> {
  const Sentry = sdk;
  if (!Sentry) return;
  sdk = undefined;
  await Sentry.close(timeoutMs);
}

/** Waits until queued events are sent. */
export async function flushSentry(timeoutMs = 2000): Promise<boolean> {
  return sdk ? await sdk.flush(timeoutMs) : true;
}

/**
 * Reports an error once, tagged with the current request id and the ids in `context`.
 * Returns the Sentry event id, or undefined when reporting is off or it was already sent.
 */
export function captureError(error: unknown, context: ErrorContext): string | undefined {
  if (!sdk) return undefined;
  if (typeof error === "object" && error !== null) {
    if (reported.has(error)) return undefined;
    reported.add(error);
  }
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined) tags[key] = String(value);
  }
  const requestId = currentRequestId();
  if (requestId) tags.request_id = requestId;
  return sdk.captureException(error, { tags, level: "error" });
}

/**
 * Wraps a cron or dispatch job: an error is logged (its type only), reported, and rethrown so
 * the runtime still sees the failure.
 *
 * @example
 * Deno.cron("alerts", "* * * * *", monitored("cron", "alerts", () => checkAlerts(...)));
 */
export function monitored(
  area: ErrorArea,
  job: string,
  fn: () => Promise<void> | void,
): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (error) {
      log.error(`${job} failed`, { area, job, error: (error as Error)?.name ?? "unknown" });
      captureError(error, { area, job });
      throw error;
    }
  };
}
