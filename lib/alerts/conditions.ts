/**
 * When incidents open and resolve. Events open them where they happen (a delivery went dead,
 * a signature failed); the minute check (`checkAlerts`, from `Deno.cron` in main.ts) watches
 * for silence, resolves what is over and retries notices. Times come from `settings.now`.
 * @module
 */
import { readCounters } from "../store/counters.ts";
import { LAST_EVENT_KEY } from "../store/ingest.ts";
import {
  ALERT_KINDS,
  type AlertKind,
  HEARTBEAT_GAP_MS,
  SPIKE_RESOLVE_BELOW,
  SPIKE_THRESHOLD,
  SPIKE_WINDOW_MINUTES,
} from "./kinds.ts";
import { type AlertSettings, deliverNotices, deliverNoticesSoon } from "./notify.ts";
import { getAlert, openAlert, resolveAlert } from "./state.ts";

const windowKey = (minute: number) => ["alert", "signature_window", minute] as const;
const HEARTBEAT_KEY = ["alert", "heartbeat"] as const;
const WATCH_SINCE_KEY = ["alert", "watch_since"] as const;

async function open(kv: Deno.Kv, kind: AlertKind, detail: string, settings: AlertSettings) {
  const notify = Boolean(settings.webhookUrl);
  const opened = await openAlert(kv, kind, { now: settings.now(), detail, notify });
  if (opened) deliverNoticesSoon(kv, kind, settings);
  return opened !== null;
}

async function resolve(kv: Deno.Kv, kind: AlertKind, detail: string, settings: AlertSettings) {
  const notify = Boolean(settings.webhookUrl);
  return (await resolveAlert(kv, kind, { now: settings.now(), detail, notify })) !== null;
}

/** Failures in the last `SPIKE_WINDOW_MINUTES` whole minutes, the current one included. */
async function failuresInWindow(kv: Deno.Kv, minute: number): Promise<number> {
  const keys = Array.from({ length: SPIKE_WINDOW_MINUTES }, (_, i) => windowKey(minute - i));
  const entries = await kv.getMany<Deno.KvU64[]>(keys);
  return entries.reduce((sum, e) => sum + (e.value ? Number(e.value.value) : 0), 0);
}

/**
 * Counts a signature failure in its minute and opens a spike incident at the threshold.
 * Returns the failures now in the window.
 */
export async function noteSignatureFailure(kv: Deno.Kv, settings: AlertSettings): Promise<number> {
  const minute = Math.floor(settings.now() / 60_000);
  await kv.atomic().sum(windowKey(minute), 1n).commit();
  const failures = await failuresInWindow(kv, minute);
  if (failures >= SPIKE_THRESHOLD) {
    const detail = `${failures} failures in the last ${SPIKE_WINDOW_MINUTES} minutes`;
    await open(kv, "signature_spike", detail, settings);
  }
  return failures;
}

/** A delivery became `dead`: opens the incident, or counts it into the open one. */
export async function noteDeadDelivery(
  kv: Deno.Kv,
  deliveryId: string,
  settings: AlertSettings,
): Promise<boolean> {
  return await open(kv, "email_dead", `latest dead delivery ${deliveryId}`, settings);
}

/** Silence counts only while the app is up: a gap in the minute checks restarts it. */
async function checkSilence(kv: Deno.Kv, settings: AlertSettings): Promise<void> {
  const now = settings.now();
  const [heartbeat, watchSince, last] = await kv.getMany<[number, number, { at: string }]>([
    HEARTBEAT_KEY,
    WATCH_SINCE_KEY,
    LAST_EVENT_KEY,
  ]);
  const wasUp = heartbeat.value !== null && now - heartbeat.value <= HEARTBEAT_GAP_MS;
  const since = wasUp && watchSince.value !== null ? watchSince.value : now;
  await kv.atomic().set(HEARTBEAT_KEY, now).set(WATCH_SINCE_KEY, since).commit();
  const lastAt = last.value ? Date.parse(last.value.at) : 0;
  const current = await getAlert(kv, "webhook_silence");
  if (current?.status === "open") {
    // Resolved by a webhook, not by a restart of the clock.
    if (lastAt > Date.parse(current.openedAt) || settings.silenceHours <= 0) {
      await resolve(kv, "webhook_silence", "a webhook arrived", settings);
    }
    return;
  }
  const limitMs = settings.silenceHours * 3_600_000;
  if (limitMs > 0 && now - Math.max(lastAt, since) >= limitMs) {
    const detail = last.value
      ? `no webhook for ${settings.silenceHours} h, the last one at ${last.value.at}`
      : `no webhook received in ${settings.silenceHours} h of uptime`;
    await open(kv, "webhook_silence", detail, settings);
  }
}

async function checkSpikeOver(kv: Deno.Kv, settings: AlertSettings): Promise<void> {
  const minute = Math.floor(settings.now() / 60_000);
  const failures = await failuresInWindow(kv, minute);
  if (failures < SPIKE_RESOLVE_BELOW) {
    const detail = `${failures} failures in the last ${SPIKE_WINDOW_MINUTES} minutes`;
    await resolve(kv, "signature_spike", detail, settings);
  }
  // Minute buckets older than the window are no longer read.
  const old = kv.list({
    start: windowKey(0),
    end: windowKey(minute - SPIKE_WINDOW_MINUTES),
  }, { limit: 100 });
  for await (const entry of old) await kv.delete(entry.key);
}

async function checkDeadResolved(kv: Deno.Kv, settings: AlertSettings): Promise<void> {
  const [dead] = await readCounters(kv, [["counter", "deliveries", "dead"]]);
  if (dead <= 0) await resolve(kv, "email_dead", "no email is dead any more", settings);
}

/**
 * The minute check: silence, resolutions, and notices that still wait. Waits for the notices,
 * so the cron run ends when they are posted or scheduled for later.
 */
export async function checkAlerts(kv: Deno.Kv, settings: AlertSettings): Promise<void> {
  await checkSilence(kv, settings);
  await checkSpikeOver(kv, settings);
  await checkDeadResolved(kv, settings);
  for (const kind of ALERT_KINDS) await deliverNotices(kv, kind, settings);
}
