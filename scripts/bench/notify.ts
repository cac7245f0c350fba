/**
 * Email dispatch through the real process (kv mode) against the fake SendGrid on loopback:
 * (1) notification latency, from the webhook's answer to the fake receiving the Mail Send
 * request; (2) backlog drain: 1,000 emails already queued in the KV file (written by the
 * ingest code with their queue messages, as a crashed or paused app leaves them), drained by a
 * freshly started app while the fake takes 50 ms per answer.
 * @module
 */
import { startFakeSendgrid } from "../../tests/fakes/sendgrid.ts";
import { startAppProcess } from "../../tests/helpers/app_process.ts";
import { bookingEvent, signedWebhookRequest } from "../../tests/helpers/calcom.ts";
import { parseCalcomDelivery } from "../../lib/calcom/event.ts";
import { recordWebhook } from "../../lib/store/ingest.ts";
import { SECRET } from "./ingest.ts";

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

function emailEnv(kvPath: string, fake: { url: string; apiKey: string }) {
  return {
    KV_PATH: kvPath,
    CALCOM_WEBHOOK_SECRET: SECRET,
    QUEUE_MODE: "kv",
    SENDGRID_API_KEY: fake.apiKey,
    SENDGRID_API_URL: fake.url,
    EMAIL_FROM: "bookings@example.com",
    EMAIL_TO: "staff@example.com",
  };
}

export async function notificationLatency(dir: string, samples: number) {
  const fake = startFakeSendgrid();
  const received = new Map<string, number>();
  fake.onRequest = (r) => received.set(r.body.custom_args?.booking_uid ?? "", performance.now());
  await Deno.mkdir(`${dir}/notify`, { recursive: true });
  const app = await startAppProcess({
    env: emailEnv(`${dir}/notify/kv.sqlite3`, fake),
    keepLogs: false,
  });
  const gaps: number[] = [];
  for (let i = 0; i < samples; i++) {
    const uid = crypto.randomUUID();
    const req = await signedWebhookRequest(bookingEvent("BOOKING_CREATED", { uid }), {
      secret: SECRET,
    });
    const res = await fetch(`${app.url}/api/calcom-webhook`, req);
    await res.body?.cancel();
    const answered = performance.now();
    for (let wait = 0; !received.has(uid) && wait < 5000; wait++) {
      await new Promise((r) => setTimeout(r, 1));
    }
    if (received.has(uid)) gaps.push(received.get(uid)! - answered);
    await new Promise((r) => setTimeout(r, 10)); // one at a time, as bookings arrive
  }
  await app.stop("SIGTERM");
  await fake.close();
  return { p50Ms: percentile(gaps, 0.5), p95Ms: percentile(gaps, 0.95), samples: gaps.length };
}

export async function backlogDrain(dir: string, emails: number) {
  const kvPath = `${dir}/backlog/kv.sqlite3`;
  await Deno.mkdir(`${dir}/backlog`, { recursive: true });
  const kv = await Deno.openKv(kvPath);
  for (let i = 0; i < emails; i += 20) {
    await Promise.all(Array.from({ length: Math.min(20, emails - i) }, () => {
      const body = new TextEncoder().encode(bookingEvent("BOOKING_CREATED"));
      return recordWebhook(kv, { body, parsed: parseCalcomDelivery(body) }, {
        notifyEvents: ["BOOKING_CREATED"],
        enqueue: true,
      });
    }));
  }
  kv.close();
  const fake = startFakeSendgrid();
  fake.latencyMs = 50;
  let first = 0;
  let last = 0;
  fake.onRequest = () => (first ||= performance.now());
  const app = await startAppProcess({ env: emailEnv(kvPath, fake), keepLogs: false });
  const deadline = performance.now() + 300_000;
  while (fake.accepted().length < emails && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    last = performance.now();
  }
  const sent = fake.accepted().length;
  await app.stop("SIGTERM");
  await fake.close();
  const seconds = (last - first) / 1000;
  return { emails: sent, seconds, perSecond: sent / seconds, duplicates: duplicateCount(fake) };
}

function duplicateCount(fake: ReturnType<typeof startFakeSendgrid>): number {
  const ids = fake.accepted().map((r) => r.body.custom_args?.delivery_id);
  return ids.length - new Set(ids).size;
}
