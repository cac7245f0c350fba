import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { bookingEvent, signedWebhookRequest } from "./helpers/calcom.ts";
import { createDispatcher, dispatchDelivery } from "@/lib/outbox/dispatcher.ts";
import { renderMetrics } from "@/lib/observability/metrics.ts";
import { readDeliveryEmail } from "@/lib/store/delivery_emails.ts";
import { applyProviderEvent, claimDelivery } from "@/lib/store/delivery_transitions.ts";
import type { EmailTransport, OutgoingEmail, SendResult } from "@/lib/email/types.ts";

/** The app's KV, counting every write that commits on its own (atomic, set, delete). */
function countingKv(kv: Deno.Kv): { kv: Deno.Kv; writes: () => number } {
  let writes = 0;
  const proxy = new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => (writes++, commit());
          return op;
        };
      }
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (prop === "set" || prop === "delete" || prop === "enqueue") writes++;
        return value.apply(target, args);
      };
    },
  });
  return { kv: proxy, writes: () => writes };
}

async function queuedDeliveryId(app: TestApp): Promise<string> {
  const res = await app.request(await signedWebhookRequest(bookingEvent("BOOKING_CREATED")));
  assert.equal(res.status, 200);
  const [entry] = await Array.fromAsync(app.kv.list({ prefix: ["delivery_by_status", "queued"] }));
  return entry.key[2] as string;
}

function transport(send: (email: OutgoingEmail) => Promise<SendResult>): EmailTransport {
  return { name: "sendgrid", send };
}

const histogramCount = async (kv: Deno.Kv) =>
  Number((await renderMetrics(kv)).match(/_dispatch_duration_seconds_count (\d+)/)?.[1]);

Deno.test("[email] a first send takes two commits: claim with the rendering, result with the latency", async () => {
  const app = await startTestApp();
  const id = await queuedDeliveryId(app);
  const counted = countingKv(app.kv);
  let storedBeforeSend: OutgoingEmail | null = null;
  const d = createDispatcher({ kv: counted.kv, config: app.services.config }, {
    transport: transport(async () => {
      storedBeforeSend = await readDeliveryEmail<OutgoingEmail>(app.kv, id);
      return { ok: true, httpStatus: 202, messageId: "m-1" };
    }),
  });
  assert.equal(await dispatchDelivery(d, id), "accepted");
  assert.equal(counted.writes(), 2);
  assert.equal(storedBeforeSend!.deliveryId, id, "the rendering is stored before the send");
  assert.equal(await histogramCount(app.kv), 1);
  assert.equal(await dispatchDelivery(d, id), "skipped", "accepted is never claimed again");
  assert.equal(await histogramCount(app.kv), 1);
  app.close();
});

Deno.test("[email] a lost lease still counts the attempt's latency, and stores no result", async () => {
  const app = await startTestApp();
  const id = await queuedDeliveryId(app);
  let now = Date.now();
  const d = createDispatcher(app.services, {
    clock: () => now,
    leaseMs: 1000,
    transport: transport(async () => {
      now += 2000; // another worker takes the expired lease while this one sends
      assert.ok(await claimDelivery(app.kv, id, now, 1000));
      return { ok: true, httpStatus: 202, messageId: "m-1" };
    }),
  });
  assert.equal(await dispatchDelivery(d, id), "skipped");
  assert.equal(await histogramCount(app.kv), 1);
  const record = (await app.kv.get<{ status: string; messageId?: string }>(["delivery", id])).value;
  assert.equal(record?.status, "sending");
  assert.equal(record?.messageId, undefined);
  app.close();
});

Deno.test("[email] a SendGrid event recorded while a send is in flight keeps the lease: recorded once, never re-sent", async () => {
  const app = await startTestApp();
  const id = await queuedDeliveryId(app);
  let now = Date.now();
  let sends = 0;
  const d = createDispatcher(app.services, {
    clock: () => now,
    transport: transport(async () => {
      sends++;
      // The Event Webhook records an event on the record meanwhile (e.g. an open of an earlier
      // message after a resend, or a fast "processed"): the record changes, the lease does not.
      const event = {
        event: "processed",
        sgEventId: `e-${sends}`,
        at: new Date(now).toISOString(),
      };
      assert.equal(await applyProviderEvent(app.kv, id, event, { dedupeMs: 60_000 }), true);
      return { ok: true, httpStatus: 202, messageId: `m-${sends}` };
    }),
  });
  assert.equal(await dispatchDelivery(d, id), "accepted");
  now += 10 * 60_000; // long after the lease would have ended
  assert.equal(await dispatchDelivery(d, id), "skipped");
  assert.equal(sends, 1, "one email");
  const record = (await app.kv.get<
    { status: string; messageId?: string; providerEvents: unknown[]; attempts: unknown[] }
  >(["delivery", id])).value;
  assert.equal(record?.status, "accepted");
  assert.equal(record?.messageId, "m-1");
  assert.equal(record?.attempts.length, 1);
  assert.equal(record?.providerEvents.length, 1, "the event recorded meanwhile is kept");
  const due = await Array.fromAsync(app.kv.list({ prefix: ["delivery_due"] }));
  assert.equal(due.length, 0);
  app.close();
});
