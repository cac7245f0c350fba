/**
 * The webhooks page's view of the Cal.com integration: the last accepted event, counts by
 * trigger and day (from counters), recent signature failures and unrecognised events, and the
 * URL to paste into Cal.com. Also the signed test PING the page can send to the app itself.
 * @module
 */
import type { Config } from "../config.ts";
import { signCalcomBody } from "../calcom/signature.ts";
import { listCounters, readCounters } from "../store/counters.ts";
import { type EventRecord, getEvent, listRecentEvents, readEventBody } from "../store/events.ts";
import { LAST_EVENT_KEY } from "../store/ingest.ts";
import { listSignatureFailures, type SignatureFailure } from "../store/signature_failures.ts";
import { payloadText } from "./booking_detail.ts";

const DAYS_SHOWN = 14;
const MAX_TRIGGERS = 100;

export interface WebhookHealth {
  webhookUrl: string;
  lastEvent?: { id: string; at: string; trigger?: string };
  totals: { all: number; duplicate: number; unrecognised: number; signatureFailures: number };
  byTrigger: { trigger: string; count: number }[];
  byDay: { day: string; events: number; signatureFailures: number }[];
  failures: SignatureFailure[];
  unrecognised: { event: EventRecord; payload: string }[];
}

/** The last `DAYS_SHOWN` UTC days, newest first, as `YYYY-MM-DD`. */
function recentDays(now: number): string[] {
  return Array.from(
    { length: DAYS_SHOWN },
    (_, i) => new Date(now - i * 86_400_000).toISOString().slice(0, 10),
  );
}

export async function loadWebhookHealth(kv: Deno.Kv, config: Config): Promise<WebhookHealth> {
  const days = recentDays(Date.now());
  const [last, totals, triggers, perDay, failures, unrecognised] = await Promise.all([
    kv.get<{ id: string; at: string }>(LAST_EVENT_KEY),
    readCounters(kv, [
      ["counter", "events", "all"],
      ["counter", "events", "duplicate"],
      ["counter", "events", "unrecognised"],
      ["counter", "signature_failures", "all"],
    ]),
    listCounters(kv, ["counter", "events", "trigger"], MAX_TRIGGERS),
    readCounters(kv, [
      ...days.map((d) => ["counter", "events", "day", d] as const),
      ...days.map((d) => ["counter", "signature_failures", "day", d] as const),
    ]),
    listSignatureFailures(kv, 20),
    listRecentEvents(kv, { unrecognisedOnly: true, limit: 10 }),
  ]);
  const lastEvent = last.value
    ? { ...last.value, trigger: (await getEvent(kv, last.value.id))?.trigger }
    : undefined;
  return {
    webhookUrl: `${config.publicUrl}/api/calcom-webhook`,
    lastEvent,
    totals: {
      all: totals[0],
      duplicate: totals[1],
      unrecognised: totals[2],
      signatureFailures: totals[3],
    },
    byTrigger: triggers.map((t) => ({ trigger: String(t.key[3]), count: t.value }))
      .sort((a, b) => b.count - a.count),
    byDay: days.map((day, i) => ({
      day,
      events: perDay[i],
      signatureFailures: perDay[DAYS_SHOWN + i],
    })),
    failures,
    unrecognised: await Promise.all(unrecognised.events.map(async (event) => ({
      event,
      payload: payloadText(await readEventBody(kv, event)).payload,
    }))),
  };
}

/**
 * The body and headers of the PING Cal.com's "Ping test" button sends, signed with `secret`.
 *
 * @example
 * const req = await signedTestPing("https://example.com/api/calcom-webhook", secret);
 */
export async function signedTestPing(url: string, secret: string): Promise<Request> {
  const now = new Date().toISOString();
  const person = (name: string, email: string) => ({
    name,
    email,
    timeZone: "Europe/London",
    language: { locale: "en" },
  });
  const body = JSON.stringify({
    triggerEvent: "PING",
    createdAt: now,
    payload: {
      type: "Test",
      title: "Test trigger event",
      startTime: now,
      endTime: now,
      attendees: [person("John Doe", "jdoe@example.com")],
      organizer: person("Cal", "no-reply@cal.com"),
    },
  });
  return new Request(url, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-cal-webhook-version": "2021-10-20",
      "x-cal-signature-256": await signCalcomBody(body, secret),
    },
  });
}
