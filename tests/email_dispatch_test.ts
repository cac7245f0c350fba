/**
 * Email dispatch end to end, in both queue modes: signed webhooks through the real route, real
 * KV, the real @sendgrid/mail client against the fake SendGrid on loopback.
 */
import assert from "node:assert/strict";
import { claimDelivery } from "@/lib/store/delivery_transitions.ts";
import { LEASE_MS } from "@/lib/outbox/mod.ts";
import { resendDelivery, retryAllDead } from "@/lib/outbox/admin.ts";
import { bookingEvent } from "./helpers/calcom.ts";
import { type MailHarness, outboxCounts, startMailHarness } from "./helpers/email.ts";

const MODES = ["kv", "cron"] as const;

async function assertConsistent(h: MailHarness) {
  const c = await outboxCounts(h.kv);
  assert.deepEqual(c.counters, c.records, "counters match the records");
  assert.deepEqual(c.byStatus, c.records, "status index matches the records");
  assert.deepEqual(c.dueEntries, c.expectedDue, "due index holds exactly the queued/sending");
}

async function withHarness(
  mode: typeof MODES[number],
  fn: (h: MailHarness) => Promise<void>,
  options: Parameters<typeof startMailHarness>[1] = {},
) {
  const h = await startMailHarness(mode, options);
  try {
    await fn(h);
    await assertConsistent(h);
  } finally {
    await h.close();
  }
}

for (const mode of MODES) {
  Deno.test(`[email] ${mode}: a new booking emails staff once, accepted with SendGrid's id`, () =>
    withHarness(mode, async (h) => {
      const res = await h.post(bookingEvent("BOOKING_CREATED", { uid: "uid-created" }));
      assert.equal(res.status, 200);
      await h.settle();
      assert.equal(h.fake.requests.length, 1);
      const sent = h.fake.requests[0];
      assert.equal(sent.authorization, `Bearer ${h.fake.apiKey}`);
      assert.deepEqual(sent.body.personalizations[0].to.map((t) => t.email), [
        "staff@example.com",
        "owner@example.com",
      ]);
      const [d] = await h.deliveries();
      assert.deepEqual(sent.body.custom_args, { delivery_id: d.id, booking_uid: "uid-created" });
      assert.deepEqual(sent.body.categories, ["calcom-webhook", "booking-created"]);
      assert.equal(d.status, "accepted");
      assert.equal(d.messageId, sent.messageId);
      assert.equal(d.attempts.length, 1);
      assert.equal(d.attempts[0].httpStatus, 202);
      const health = await (await h.app.fetch("/api/health")).json();
      assert.deepEqual(health.deliveries, { pending: 0, dead: 0 });
    }));

  Deno.test(`[email] ${mode}: duplicate and reordered webhooks give one email per trigger`, () =>
    withHarness(mode, async (h) => {
      const created = bookingEvent("BOOKING_CREATED", { uid: "uid-dup" }, "2024-01-01T00:00:00Z");
      const cancelled = bookingEvent(
        "BOOKING_CANCELLED",
        { uid: "uid-dup", cancellationReason: "Ill" },
        "2024-01-01T01:00:00Z",
      );
      // Cancel first, then the create twice (exact duplicate), then the create re-sent later.
      assert.equal((await h.post(cancelled)).status, 200);
      assert.equal((await h.post(created)).status, 200);
      assert.equal((await (await h.post(created)).json()).duplicate, true);
      const resent = bookingEvent("BOOKING_CREATED", { uid: "uid-dup" }, "2024-01-01T00:00:05Z");
      assert.equal((await h.post(resent)).status, 200);
      await h.settle();
      await h.sweep();
      const categories = h.fake.accepted().map((r) => r.body.categories?.[1]).sort();
      assert.deepEqual(categories, ["booking-cancelled", "booking-created"]);
      assert.equal(h.fake.requests.length, 2);
    }));

  Deno.test(`[email] ${mode}: SendGrid down for 3 attempts, then up: delivered once, 4 attempts`, () =>
    withHarness(mode, async (h) => {
      // 500, a connection cut mid-response, a request that outlasts the client's timeout.
      h.fake.script({ kind: "server_error" }, { kind: "drop" }, { kind: "hang" });
      await h.post(bookingEvent("BOOKING_CREATED"));
      await h.settle();
      const [d] = await h.deliveries();
      assert.equal(d.status, "accepted");
      assert.equal(h.fake.accepted().length, 1);
      assert.equal(h.fake.requests.length, 4);
      assert.equal(d.attempts.length, 4);
      assert.equal(d.attempts[0].httpStatus, 500);
      assert.match(d.attempts[1].error ?? "", /network: ERR_BAD_RESPONSE/);
      assert.match(d.attempts[2].error ?? "", /network: ECONNABORTED/);
      assert.equal(d.attempts[3].messageId, d.messageId);
      // Each retry waited at least as long as the schedule asked.
      for (let i = 1; i < 4; i++) {
        assert.ok(Date.parse(d.attempts[i].at) > Date.parse(d.attempts[i - 1].at));
      }
    }));

  Deno.test(`[email] ${mode}: 500, hang, drop: one request per attempt, none replayed`, () =>
    withHarness(mode, async (h) => {
      // The hang goes out on the socket the 500 came back on; the client destroys it at the
      // timeout. Nothing below the outbox may send that POST again (tests/email_transport_test.ts).
      h.fake.script({ kind: "server_error" }, { kind: "hang" }, { kind: "drop" });
      await h.post(bookingEvent("BOOKING_CREATED"));
      await h.settle();
      const [d] = await h.deliveries();
      assert.equal(d.status, "accepted");
      assert.deepEqual(h.fake.requests.map((r) => r.answer), [500, "hang", "drop", 202]);
      assert.equal(d.attempts.length, 4);
      assert.equal(h.fake.accepted().length, 1);
    }));

  Deno.test(`[email] ${mode}: a permanent 400 fails at once with SendGrid's message`, () =>
    withHarness(mode, async (h) => {
      h.fake.script({
        kind: "reject",
        status: 400,
        message: "The from address does not match a verified Sender Identity.",
        field: "from",
      });
      await h.post(bookingEvent("BOOKING_CREATED"));
      await h.settle();
      h.advance(48 * 3600_000);
      await h.sweep();
      const [d] = await h.deliveries();
      assert.equal(d.status, "failed");
      assert.match(d.lastError ?? "", /verified Sender Identity/);
      assert.equal(h.fake.requests.length, 1);
      assert.equal(d.attempts.length, 1);
    }));

  Deno.test(`[email] ${mode}: 401 is permanent too; a resend after fixing it is accepted`, () =>
    withHarness(mode, async (h) => {
      h.fake.script({ kind: "unauthorized" });
      await h.post(bookingEvent("BOOKING_CREATED"));
      await h.settle();
      let [d] = await h.deliveries();
      assert.equal(d.status, "failed");
      const result = await resendDelivery(h.kv, d.id, { now: h.now() });
      assert.equal(result.ok, true);
      await h.settle();
      [d] = await h.deliveries();
      assert.equal(d.status, "accepted");
      assert.equal(d.attempts.length, 2);
      assert.equal(d.attempts[1].manual, true);
      // Resending an accepted email is allowed on purpose: a new attempt, same record.
      assert.equal((await resendDelivery(h.kv, d.id, { now: h.now() })).ok, true);
      await h.settle();
      [d] = await h.deliveries();
      assert.equal(d.attempts.length, 3);
      assert.equal(h.fake.accepted().length, 2);
    }));

  Deno.test(`[email] ${mode}: always failing ends dead after 10 attempts; retry-all-dead resends`, () =>
    withHarness(mode, async (h) => {
      h.fake.always({ kind: "server_error" });
      await h.post(bookingEvent("BOOKING_CREATED"));
      await h.settle();
      let [d] = await h.deliveries();
      assert.equal(d.status, "dead");
      assert.equal(d.attempts.length, 10);
      let health = await (await h.app.fetch("/api/health")).json();
      assert.deepEqual(health.deliveries, { pending: 0, dead: 1 });
      h.fake.always(null);
      assert.deepEqual(await retryAllDead(h.kv, { now: h.now() }), { resent: 1, remaining: false });
      await h.settle();
      [d] = await h.deliveries();
      assert.equal(d.status, "accepted");
      assert.equal(d.attempts.length, 11);
      health = await (await h.app.fetch("/api/health")).json();
      assert.deepEqual(health.deliveries, { pending: 0, dead: 0 });
    }));

  Deno.test(`[email] ${mode}: a worker dying mid-send leaves a lease; after it expires: sent once`, async () => {
    const h = await startMailHarness(mode, { startDispatch: false });
    try {
      await h.post(bookingEvent("BOOKING_CREATED"));
      const [queued] = await h.deliveries();
      // Worker A claims, then dies before sending anything.
      assert.ok(await claimDelivery(h.kv, queued.id, h.now(), LEASE_MS));
      h.start(); // worker B: its queue message (kv mode) and sweeps must not send during the lease
      await h.sweep();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(h.fake.requests.length, 0);
      h.advance(LEASE_MS + 1);
      await h.sweep();
      await h.settle();
      const [d] = await h.deliveries();
      assert.equal(d.status, "accepted");
      assert.equal(h.fake.requests.length, 1);
      assert.equal(d.attempts.length, 2);
      assert.match(d.attempts[0].error ?? "", /lease expired/);
      await assertConsistent(h);
    } finally {
      await h.close();
    }
  });

  Deno.test(`[email] ${mode}: concurrent sweeps and queue messages never send twice`, () =>
    withHarness(mode, async (h) => {
      h.fake.latencyMs = 20;
      for (let i = 0; i < 10; i++) await h.post(bookingEvent("BOOKING_CREATED"));
      await Promise.all([h.sweep(), h.sweep(), h.sweep()]);
      await h.settle();
      assert.equal(h.fake.requests.length, 10);
      const ids = new Set(h.fake.requests.map((r) => r.body.custom_args?.delivery_id));
      assert.equal(ids.size, 10);
    }));
}

Deno.test("[email] cron: a 429 waits for Retry-After before the next attempt", () =>
  withHarness("cron", async (h) => {
    h.fake.script({ kind: "rate_limit", retryAfterSeconds: 600 });
    await h.post(bookingEvent("BOOKING_CREATED"));
    await h.sweep();
    let [d] = await h.deliveries();
    assert.equal(d.status, "queued");
    assert.ok(d.dueAt >= h.now() + 599_000, "due no earlier than Retry-After");
    h.advance(300_000);
    await h.sweep();
    assert.equal(h.fake.requests.length, 1);
    h.advance(301_000);
    await h.sweep();
    [d] = await h.deliveries();
    assert.equal(d.status, "accepted");
    assert.equal(d.attempts[0].httpStatus, 429);
  }));

Deno.test("[email] dev outbox: without SendGrid the email is stored and marked delivered", async () => {
  const h = await startMailHarness("kv", { env: { SENDGRID_API_KEY: "" } });
  try {
    await h.post(bookingEvent("BOOKING_CREATED", { uid: "uid-dev" }));
    await h.settle();
    const [d] = await h.deliveries();
    assert.equal(d.status, "delivered");
    assert.equal(d.transport, "dev-outbox");
    assert.equal(h.fake.requests.length, 0);
    const { previewDeliveryEmail } = await import("@/lib/outbox/admin.ts");
    const preview = await previewDeliveryEmail(h.kv, h.app.services.config, d.id);
    assert.ok(preview && "email" in preview && preview.sent);
    assert.match(preview.email.html, /uid-dev/);
    assert.equal(preview.email.customArgs.booking_uid, "uid-dev");
  } finally {
    await h.close();
  }
});
