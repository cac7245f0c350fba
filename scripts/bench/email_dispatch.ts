/**
 * Measures email dispatch against the fake SendGrid on loopback (not a test: no assertions).
 *   deno run -A scripts/bench/email_dispatch.ts [samples=200] [backlog=1000]
 * 1. kv mode: time from the webhook's answer to the fake receiving the Mail Send request.
 * 2. a backlog of N queued emails, fake answering in 50 ms: emails/s in kv mode (queue listener)
 *    and in cron mode (one sweep).
 */
import { SENDGRID_TIMEOUT_MS } from "@/lib/email/sendgrid.ts";
import { setLogLevel } from "@/lib/log.ts";
import { sweepDueDeliveries } from "@/lib/outbox/mod.ts";
import { bookingEvent } from "@/tests/helpers/calcom.ts";
import { startMailHarness } from "@/tests/helpers/email.ts";

setLogLevel("warn");
const samples = Number(Deno.args[0] ?? 200);
const backlog = Number(Deno.args[1] ?? 1000);
const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];

async function answerToSend(): Promise<void> {
  const h = await startMailHarness("kv", { timeoutMs: SENDGRID_TIMEOUT_MS });
  const received = new Map<string, number>();
  h.fake.onRequest = (r) => received.set(r.body.custom_args?.booking_uid ?? "", performance.now());
  const gaps: number[] = [];
  for (let i = 0; i < samples; i++) {
    const uid = `bench-${i}`;
    await h.post(bookingEvent("BOOKING_CREATED", { uid }));
    const answered = performance.now();
    while (!received.has(uid)) await new Promise((r) => setTimeout(r, 0));
    gaps.push(received.get(uid)! - answered);
  }
  await h.close();
  console.log(
    `kv mode, webhook answer → fake SendGrid request (${samples} sequential): ` +
      `p50 ${pct(gaps, 0.5).toFixed(1)} ms, p95 ${pct(gaps, 0.95).toFixed(1)} ms, ` +
      `max ${pct(gaps, 1).toFixed(1)} ms`,
  );
}

async function drain(mode: "kv" | "cron"): Promise<void> {
  // The production request timeout (the tests' 300 ms would time out under this load).
  const h = await startMailHarness(mode, { startDispatch: false, timeoutMs: SENDGRID_TIMEOUT_MS });
  h.fake.latencyMs = 50;
  for (let i = 0; i < backlog; i++) await h.post(bookingEvent("BOOKING_CREATED"));
  const start = performance.now();
  if (mode === "kv") {
    h.start(); // the queued messages were waiting for a listener
    while (h.fake.accepted().length < backlog) await new Promise((r) => setTimeout(r, 10));
  } else {
    await sweepDueDeliveries(h.dispatcher, { budgetMs: 10 * 60_000 });
  }
  const seconds = (performance.now() - start) / 1000;
  const unique = new Set(h.fake.accepted().map((r) => r.body.custom_args?.delivery_id)).size;
  console.log(
    `${mode} mode, backlog of ${backlog} with the fake answering in 50 ms: ` +
      `${h.fake.accepted().length} sent in ${seconds.toFixed(1)} s = ` +
      `${(h.fake.accepted().length / seconds).toFixed(0)} emails/s (${unique} distinct emails)`,
  );
  const retried = (await h.deliveries()).filter((d) => d.attempts.length > 1).length;
  if (retried) console.log(`  ${retried} emails needed more than one attempt`);
  await h.close();
}

await answerToSend();
await drain("kv");
await drain("cron");
