/**
 * Alerts: an email went dead, signature failures spike, or Cal.com fell silent. Each incident
 * shows as a banner in the admin (`activeAlerts`) and, with `ALERT_WEBHOOK_URL`, is posted once
 * when it opens and once when it resolves.
 * @module
 */
import { services } from "../app.ts";
import type { Config } from "../config.ts";
import { log } from "../log.ts";
import { checkAlerts } from "./conditions.ts";
import { ALERT_DESCRIPTIONS, ALERT_KINDS, type AlertKind } from "./kinds.ts";
import type { AlertSettings } from "./notify.ts";
import { alertKey, type AlertState } from "./state.ts";

export { checkAlerts, noteDeadDelivery, noteSignatureFailure } from "./conditions.ts";
export { settleAlertNotices } from "./notify.ts";
export type { AlertSettings } from "./notify.ts";
export { resolveAlert } from "./state.ts";
export type { AlertKind } from "./kinds.ts";

/** Settings from the configuration, with the real clock and network unless overridden. */
export function alertSettings(
  config: Pick<Config, "alerts"> & Partial<Pick<Config, "publicUrl">>,
  overrides: Partial<AlertSettings> = {},
): AlertSettings {
  return {
    webhookUrl: config.alerts.webhookUrl,
    silenceHours: config.alerts.silenceHours,
    publicUrl: config.publicUrl,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    fetch: globalThis.fetch,
    ...overrides,
  };
}

/** The minute cron's body (main.ts): skipped until start-up has installed the services. */
export async function runAlertChecks(): Promise<void> {
  let app;
  try {
    app = services();
  } catch {
    log.warn("alert check skipped: start-up not finished");
    return;
  }
  await checkAlerts(app.kv, alertSettings(app.config));
}

/** One open incident, as the admin banner shows it. */
export interface ActiveAlert {
  kind: AlertKind;
  incident: string;
  title: string;
  action: string;
  detail: string;
  openedAt: string;
  occurrences: number;
}

/**
 * The open incidents, for the admin banner: one `getMany`, no scan.
 *
 * @example
 * const alerts = await activeAlerts(kv); // [] when all is well
 */
export async function activeAlerts(kv: Deno.Kv): Promise<ActiveAlert[]> {
  const entries = await kv.getMany<AlertState[]>(ALERT_KINDS.map(alertKey));
  return entries.flatMap(({ value: s }) =>
    s?.status === "open"
      ? [{
        kind: s.kind,
        incident: s.incident,
        ...ALERT_DESCRIPTIONS[s.kind],
        detail: s.detail,
        openedAt: s.openedAt,
        occurrences: s.occurrences,
      }]
      : []
  );
}
