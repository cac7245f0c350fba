/**
 * Observability start-up: the log level (`LOG_LEVEL`) and, with `SENTRY_DSN`, error reporting.
 * Call right after the configuration is loaded; events get the build id as release when sent.
 * @module
 */
import type { Config } from "../config.ts";
import { log, setLogLevel } from "../log.ts";
import { initSentry } from "./sentry.ts";

export { captureError, monitored } from "./sentry.ts";

export function initObservability(config: Pick<Config, "logLevel" | "sentry">): void {
  setLogLevel(config.logLevel);
  if (config.sentry) {
    initSentry(config.sentry);
    log.info("error reporting on", { environment: config.sentry.environment });
  }
}
