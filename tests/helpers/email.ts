/**
 * The app with its email dispatch against the fake SendGrid: real webhook route, real KV, the
 * real @sendgrid/mail client on loopback, in either queue mode. The clock is the real one plus
 * an offset the test moves forward, so retries hours away happen without sleeping.
 */
import type { QueueMode } from "@/lib/config.ts";
import { type Dispatcher, startDispatch, sweepDueDeliveries } from "@/lib/outbox/mod.ts";
import type { RetryPolicy } from "@/lib/outbox/schedule.ts";
import type { DeliveryRecord } from "@/lib/store/deliveries.ts";
import { type FakeSendgrid, startFakeSendgrid } from "../fakes/sendgrid.ts";
import { startTestApp, type TestApp } from "./app.ts";
import { signedWebhookRequest } from "./calcom.ts";

/** In kv mode retries come back through the real queue: tiny delays keep the test fast. */
export const FAST_POLICY: RetryPolicy = {
  baseDelayMs: 5,
  factor: 2,
  maxDelayMs: 40,
  maxAttempts: 10,
  jitter: 0.2,
  maxRetryAfterMs: 6 * 60 * 60_000,
};

export interface MailHarness {
  mode: QueueMode;
  app: TestApp;
  kv: Deno.Kv;
  fake: FakeSendgrid;
  dispatcher: Dispatcher;
  now(): number;
  advance(ms: number): void;
  post(body: string): Promise<Response>;
  /** Every delivery record (a scan: tests only). */
  deliveries(): Promise<DeliveryRecord[]>;
  /** Drives dispatch until no delivery is queued or sending. */
  settle(): Promise<void>;
  sweep(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  policy?: RetryPolicy;
  /** Start dispatch (and the queue listener) now; false to start it later with `start()`. */
  timeoutMs?: number;
}

export async function startMailHarness(
  mode: QueueMode,
  options: HarnessOptions = {},
): Promise<MailHarness> {
  const fake = startFakeSendgrid();
  const app = await startTestApp({
    QUEUE_MODE: mode,
    SENDGRID_API_KEY: fake.apiKey,
    SENDGRID_API_URL: fake.url,
    EMAIL_FROM: "bookings@example.com",
    EMAIL_TO: "staff@example.com,owner@example.com",
    PUBLIC_URL: "https://hooks.example.com",
    STAFF_TIMEZONE: "Europe/Berlin",
    ...options.env,
  });
  let offset = 0;
  const clock = () => Date.now() + offset;
  const { dispatcher, listening } = startDispatch(app.services, {
    clock,
    policy: options.policy ?? (mode === "kv" ? FAST_POLICY : undefined),
    timeoutMs: options.timeoutMs ?? 300,
  });
  const deliveries = async () => {
    const out: DeliveryRecord[] = [];
    for await (const e of app.kv.list<DeliveryRecord>({ prefix: ["delivery"] })) out.push(e.value);
    return out;
  };
  const sweep = async () => {
    await sweepDueDeliveries(dispatcher);
  };
  return {
    mode,
    app,
    kv: app.kv,
    fake,
    dispatcher,
    now: clock,
    advance: (ms) => (offset += ms),
    post: async (body) => await app.request(await signedWebhookRequest(body)),
    deliveries,
    sweep,
    async settle() {
      for (let round = 0; round < 4000; round++) {
        const open = (await deliveries()).filter((d) =>
          d.status === "queued" || d.status === "sending"
        );
        if (open.length === 0) return;
        if (mode === "cron") {
          const due = Math.min(...open.map((d) => d.dueAt));
          if (due > clock()) offset += due - clock();
          await sweep();
        } else {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      throw new Error("deliveries did not settle");
    },
    async close() {
      app.close();
      await listening;
      await fake.close();
    },
  };
}
