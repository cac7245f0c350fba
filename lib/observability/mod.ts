/**
 * Observability start-up: the log level (`LOG_LEVEL`) and, with `SENTRY_DSN`, error reporting.
 * Call (and await) right after the configuration is loaded; events get the build id as release
 * when sent.
 * @module
 */
import type { Config } from "../config.ts";
import { log, setLogLevel } from "../log.ts";
import { initSentry } from "./sentry.ts";

export { captureError, monitored } from "./sentry.ts";

/** Resolves at once without a DSN; with one, once the Sentry SDK is loaded and reporting. */
export async function initObservability(
  config: Pick<Config, "logLevel" | "sentry">,
): Promise<void> {
  setLogLevel(config.logLevel);
  if (config.sentry) {
    await initSentry(config.sentry);
    log.info("error reporting on", { environment: config.sentry.environment });
  }
}
