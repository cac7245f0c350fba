/**
 * The app with its email dispatch against the fake SendGrid: real webhook route, real KV, the
 * real @sendgrid/mail client on loopback, in either queue mode. The clock is the real one plus
 * an offset the test moves forward, so retries hours away happen without sleeping.
 */
import type { QueueMode } from "@/lib/config.ts";
import {
  createDispatcher,
  type Dispatcher,
  startDispatch,
  sweepDueDeliveries,
} from "@/lib/outbox/mod.ts";
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
  /** Starts dispatch (queue listener in kv mode) when created with `startDispatch: false`. */
  start(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  policy?: RetryPolicy;
  /** Start dispatch (and the queue listener) now; false to start it later with `start()`. */
  startDispatch?: boolean;
  /** SendGrid request timeout (the fake's "hang" outlasts it). */
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
  const dispatchOptions = {
    clock,
    policy: options.policy ?? (mode === "kv" ? FAST_POLICY : undefined),
    timeoutMs: options.timeoutMs ?? 300,
  };
  const dispatcher = createDispatcher(app.services, dispatchOptions);
  let listening: Promise<void> | undefined;
  const start = () => {
    listening ??= startDispatch(app.services, dispatchOptions).listening;
  };
  if (options.startDispatch !== false) start();
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
        const queued = open.filter((d) => d.status === "queued");
        if (mode === "cron" && queued.length === open.length) {
          // Jump to the next retry; never across the lease of a send still in flight.
          const due = Math.min(...queued.map((d) => d.dueAt));
          if (due > clock()) offset += due - clock();
          await sweep();
        } else {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      throw new Error("deliveries did not settle");
    },
    start,
    async close() {
      app.close();
      await listening;
      await fake.close();
    },
  };
}

/**
 * Counters, the status index and the due index agree with the records (scans: tests only).
 * Returns the counters for further assertions.
 */
export async function outboxCounts(kv: Deno.Kv): Promise<{
  records: Record<string, number>;
  counters: Record<string, number>;
  byStatus: Record<string, number>;
  dueEntries: string[];
  expectedDue: string[];
}> {
  const records: Record<string, number> = {};
  const expectedDue: string[] = [];
  for await (const e of kv.list<DeliveryRecord>({ prefix: ["delivery"] })) {
    records[e.value.status] = (records[e.value.status] ?? 0) + 1;
    if (e.value.status === "queued" || e.value.status === "sending") {
      expectedDue.push(`${e.value.dueAt}/${e.value.id}`);
    }
  }
  const counters: Record<string, number> = {};
  for await (const e of kv.list<Deno.KvU64>({ prefix: ["counter", "deliveries"] })) {
    const n = Number(BigInt.asIntN(64, e.value.value));
    if (n !== 0) counters[e.key[2] as string] = n;
  }
  const byStatus: Record<string, number> = {};
  for await (const e of kv.list({ prefix: ["delivery_by_status"] })) {
    byStatus[e.key[1] as string] = (byStatus[e.key[1] as string] ?? 0) + 1;
  }
  const dueEntries: string[] = [];
  for await (const e of kv.list({ prefix: ["delivery_due"] })) {
    dueEntries.push(`${String(e.key[1])}/${String(e.key[2])}`);
  }
  return {
    records,
    counters,
    byStatus,
    dueEntries: dueEntries.sort(),
    expectedDue: expectedDue.sort(),
  };
}
