/**
 * The fault soak: unique signed events from many concurrent senders (who keep retrying while
 * the app is down) into the real app process (main.ts, kv mode, one KV file), which is
 * SIGKILLed and restarted mid-run, while the fake SendGrid fails about 30 % of requests.
 * Then the verdict from the KV file and the fake's log (verify.ts).
 * @module
 */
import { SENDGRID_TIMEOUT_MS } from "@/lib/email/sendgrid.ts";
import { type AppProcess, freePort, startAppProcess } from "../helpers/app_process.ts";
import { bookingEvent, signedWebhookRequest, TEST_SECRET } from "../helpers/calcom.ts";
import { startFailingSendgrid } from "./failing_sendgrid.ts";
import { type Answered, verifySoak } from "./verify.ts";

export interface SoakOptions {
  events: number;
  concurrency: number;
  kills: number;
  failureRate: number;
  maxFailuresPerEmail: number;
  /** How long to wait for the outbox to drain after the last event (lease + sweep + retries). */
  settleTimeoutMs: number;
  log: (line: string) => void;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sender {
  answered: Answered[];
  retries: number;
  refused: string[];
}

/** Sends event `i` until the app answers it 2xx; 5xx and network errors mean "try again". */
async function deliverEvent(url: () => string, body: Uint8Array<ArrayBuffer>, s: Sender) {
  for (let tries = 0; tries < 2000; tries++) {
    try {
      const req = await signedWebhookRequest(body);
      const res = await fetch(`${url()}/api/calcom-webhook`, {
        method: "POST",
        body,
        headers: req.headers,
        signal: AbortSignal.timeout(30_000),
      });
      const answer = await res.json().catch(() => ({}));
      if (res.ok) return void s.answered.push({ body, id: answer.id });
      if (res.status < 500) return void s.refused.push(`${res.status}`);
    } catch { /* the app is down or was killed mid-request */ }
    s.retries++;
    await pause(50 + Math.random() * 100);
  }
  s.refused.push("gave up");
}

async function health(url: string): Promise<{ pending: number } | null> {
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
    return (await res.json()).deliveries ?? null;
  } catch {
    return null;
  }
}

export async function runSoak(o: SoakOptions) {
  const dir = await Deno.makeTempDir({ prefix: "soak-" });
  const kvPath = `${dir}/kv.sqlite3`;
  const sendgrid = startFailingSendgrid(o.failureRate, o.maxFailuresPerEmail);
  const port = freePort();
  const env = {
    KV_PATH: kvPath,
    CALCOM_WEBHOOK_SECRET: TEST_SECRET,
    QUEUE_MODE: "kv",
    LOG_LEVEL: "warn",
    SENDGRID_API_KEY: sendgrid.fake.apiKey,
    SENDGRID_API_URL: sendgrid.fake.url,
    EMAIL_FROM: "bookings@example.com",
    EMAIL_TO: "staff@example.com",
  };
  const start = () => startAppProcess({ env, port, keepLogs: false });
  let app: AppProcess = await start();
  const bodies = Array.from(
    { length: o.events },
    () => new TextEncoder().encode(bookingEvent("BOOKING_CREATED")) as Uint8Array<ArrayBuffer>,
  );
  const sender: Sender = { answered: [], retries: 0, refused: [] };
  const kills: number[] = [];
  const restarts: number[] = [];
  let next = 0;
  const senders = Array.from({ length: o.concurrency }, async () => {
    for (let i = next++; i < o.events; i = next++) {
      await deliverEvent(() => app.url, bodies[i], sender);
    }
  });
  const killer = (async () => {
    for (let k = 1; k <= o.kills; k++) {
      while (sender.answered.length < (k * o.events) / (o.kills + 1)) await pause(20);
      await pause(Math.random() * 200);
      kills.push(Date.now());
      await app.stop("SIGKILL");
      o.log(`  SIGKILL ${k} after ${sender.answered.length} answered; restarting`);
      app = await start();
      restarts.push(Date.now());
    }
  })();
  await Promise.all([...senders, killer]);
  o.log(`  all ${o.events} events answered (${sender.retries} retries); waiting for the outbox`);
  const deadline = Date.now() + o.settleTimeoutMs;
  let quiet = 0;
  while (Date.now() < deadline && quiet < 3) {
    const h = await health(app.url);
    quiet = h && h.pending === 0 ? quiet + 1 : 0;
    await pause(1000);
  }
  await app.stop("SIGTERM");
  await sendgrid.close();
  const kv = await Deno.openKv(kvPath);
  const result = await verifySoak(kv, {
    events: o.events,
    answered: sender.answered,
    fakeRequests: sendgrid.fake.requests,
    kills,
    restarts,
    sendTimeoutMs: SENDGRID_TIMEOUT_MS + 5000,
    senderRetries: sender.retries,
  });
  kv.close();
  await Deno.remove(dir, { recursive: true });
  return { ...result, refused: sender.refused };
}
