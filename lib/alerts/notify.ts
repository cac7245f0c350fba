/**
 * Posting alert notices to `ALERT_WEBHOOK_URL`: JSON with a Slack-compatible `text`, retried
 * with backoff (a few quick tries, then again from the minute check until it gives up). A
 * sender first takes a short lease on the alert record, so a notice is posted once even when
 * the request path and the cron both try. The URL is a secret (Slack's carry a token): it is
 * never logged.
 * @module
 */
import { log } from "../log.ts";
import { captureError } from "../observability/sentry.ts";
import { ALERT_DESCRIPTIONS, type AlertKind } from "./kinds.ts";
import { type AlertState, type NoticePhase, updateAlert } from "./state.ts";

export interface AlertSettings {
  webhookUrl?: string;
  /** 0 turns the silence alert off. */
  silenceHours: number;
  /** Link to the admin in the message, when known. */
  publicUrl?: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  fetch: typeof fetch;
}

/** Quick retries after the first try, before leaving the rest to the minute check. */
export const QUICK_RETRY_DELAYS_MS = [1_000, 3_000, 9_000];
/** Longer than one `postNotice` can take: 4 tries × 10 s timeout + about 16 s of pauses. */
const LEASE_MS = 3 * 60_000;
const POST_TIMEOUT_MS = 10_000;
/** Tries across minute checks (about two hours of backoff) before a notice is given up. */
export const MAX_NOTICE_ATTEMPTS = 24;

export interface PostResult {
  ok: boolean;
  /** 4xx other than 408/429: the URL or payload is wrong, retrying will not help. */
  permanent: boolean;
  tries: number;
  httpStatus?: number;
}

export function noticeText(state: AlertState, phase: NoticePhase, publicUrl?: string): string {
  const { title, action } = ALERT_DESCRIPTIONS[state.kind];
  const link = publicUrl ? ` ${publicUrl}/admin` : "";
  return phase === "opened"
    ? `:rotating_light: calcom-webhook: ${title}. ${state.detail}. ${action}${link}`
    : `:white_check_mark: calcom-webhook resolved: ${title} (open since ${state.openedAt}). ` +
      `${state.detail}.${link}`;
}

/** Posts one notice, retrying transient failures (network, timeout, 408, 429, 5xx). */
export async function postNotice(settings: AlertSettings, body: unknown): Promise<PostResult> {
  let httpStatus: number | undefined;
  for (let tries = 1;; tries++) {
    try {
      const res = await settings.fetch(settings.webhookUrl!, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(POST_TIMEOUT_MS),
      });
      await res.body?.cancel();
      httpStatus = res.status;
      if (res.ok) return { ok: true, permanent: false, tries, httpStatus };
      if (res.status < 500 && res.status !== 408 && res.status !== 429) {
        return { ok: false, permanent: true, tries, httpStatus };
      }
    } catch {
      httpStatus = undefined;
    }
    const delay = QUICK_RETRY_DELAYS_MS[tries - 1];
    if (delay === undefined) return { ok: false, permanent: false, tries, httpStatus };
    await settings.sleep(delay * (0.75 + Math.random() / 2));
  }
}

/** Backoff before the minute check tries a notice again: 1, 2, 4 … 30 minutes. */
const laterBackoffMs = (attempts: number) => Math.min(30, 2 ** Math.max(0, attempts - 4)) * 60_000;

/** Posts every notice of `kind` that is due, in order. Safe to call from anywhere, any time. */
export async function deliverNotices(
  kv: Deno.Kv,
  kind: AlertKind,
  settings: AlertSettings,
): Promise<void> {
  if (!settings.webhookUrl) return;
  for (;;) {
    const now = settings.now();
    const claimed = await updateAlert(
      kv,
      kind,
      (s) =>
        s && s.pendingNotices.length > 0 && s.noticeNotBefore <= now
          ? { ...s, noticeNotBefore: now + LEASE_MS }
          : null,
    );
    if (!claimed) return;
    const phase = claimed.pendingNotices[0];
    const result = await postNotice(settings, {
      text: noticeText(claimed, phase, settings.publicUrl),
      alert: kind,
      state: phase,
      incident: claimed.incident,
      openedAt: claimed.openedAt,
      resolvedAt: claimed.resolvedAt,
      detail: claimed.detail,
    });
    const attempts = claimed.noticeAttempts + result.tries;
    const done = result.ok || result.permanent || attempts >= MAX_NOTICE_ATTEMPTS;
    await updateAlert(
      kv,
      kind,
      (s) =>
        s && (done
          ? {
            ...s,
            pendingNotices: s.pendingNotices.slice(1),
            noticeAttempts: 0,
            noticeNotBefore: 0,
          }
          : {
            ...s,
            noticeAttempts: attempts,
            noticeNotBefore: settings.now() + laterBackoffMs(attempts),
          }),
    );
    const fields = {
      alert: kind,
      incident: claimed.incident,
      phase,
      tries: result.tries,
      httpStatus: result.httpStatus,
    };
    if (result.ok) log.info("alert notice sent", fields);
    else if (done) log.error("alert notice given up", { ...fields, attempts });
    else log.warn("alert notice failed, will retry", { ...fields, attempts });
    if (!done) return;
  }
}

const inFlight = new Set<Promise<void>>();

/** Starts `deliverNotices` without waiting (request paths must not wait for a webhook). */
export function deliverNoticesSoon(kv: Deno.Kv, kind: AlertKind, settings: AlertSettings): void {
  if (!settings.webhookUrl) return;
  const job: Promise<void> = deliverNotices(kv, kind, settings)
    .catch((error) => {
      log.error("alert notice crashed", { alert: kind, error: (error as Error)?.name });
      captureError(error, { area: "cron", job: "alert-notice" });
    })
    .finally(() => inFlight.delete(job));
  inFlight.add(job);
}

/** Waits for notices started with `deliverNoticesSoon` (tests, shutdown). */
export async function settleAlertNotices(): Promise<void> {
  while (inFlight.size > 0) await Promise.all([...inFlight]);
}
