/**
 * Observability start-up: the log level (`LOG_LEVEL`) and, with `SENTRY_DSN`, error reporting.
 * Call once the build id is known (after `createHandler`), so events carry the release.
 * @module
 */
import type { Config } from "../config.ts";
import { log, setLogLevel } from "../log.ts";
import { initSentry, releaseName } from "./sentry.ts";

export { captureError, monitored } from "./sentry.ts";

export function initObservability(config: Pick<Config, "logLevel" | "sentry">): void {
  setLogLevel(config.logLevel);
  if (config.sentry) {
    initSentry(config.sentry);
    log.info("error reporting on", {
      environment: config.sentry.environment,
      release: releaseName(),
    });
  }
}
