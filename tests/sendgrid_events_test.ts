/**
 * SendGrid's signed Event Webhook: the official test vectors, then a key pair made here signing
 * batches through the real route: good, bad and stale signatures, dedupe, status changes.
 */
import assert from "node:assert/strict";
import {
  derToP1363,
  importEventWebhookKey,
  verifyEventWebhook,
} from "@/lib/email/event_webhook.ts";
import { bookingEvent } from "./helpers/calcom.ts";
import { type MailHarness, startMailHarness } from "./helpers/email.ts";
import { eventWebhookSigner } from "./fakes/sendgrid.ts";

// sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js (single event vector).
const VECTOR_KEY =
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
const VECTOR_SIGNATURE =
  "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
const VECTOR_TIMESTAMP = "1600112502";
const VECTOR_BODY = JSON.stringify([{
  email: "hello@world.com",
  event: "dropped",
  reason: "Bounced Address",
  sg_event_id: "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
  sg_message_id: "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
  "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",
  timestamp: 1600112492,
}]) + "\r\n";

const utf8 = (s: string) => new TextEncoder().encode(s);

Deno.test("[sendgrid-events] the official vector verifies only byte-exact", async () => {
  const key = await importEventWebhookKey(VECTOR_KEY);
  assert.ok(key);
  assert.equal(
    await verifyEventWebhook(key, utf8(VECTOR_BODY), VECTOR_SIGNATURE, VECTOR_TIMESTAMP),
    true,
  );
  assert.equal(
    await verifyEventWebhook(key, utf8(VECTOR_BODY.trim()), VECTOR_SIGNATURE, VECTOR_TIMESTAMP),
    false,
  );
  assert.equal(
    await verifyEventWebhook(key, utf8(VECTOR_BODY), VECTOR_SIGNATURE, "1600112503"),
    false,
  );
  assert.equal(
    await verifyEventWebhook(key, utf8(VECTOR_BODY), "bm90IGRlcg==", VECTOR_TIMESTAMP),
    false,
  );
  assert.equal(derToP1363(new Uint8Array([0x30, 0x02, 0x02, 0x00])), null);
});

/** SendGrid's side, signing a batch into a request to our route. */
async function signer() {
  const sendgrid = await eventWebhookSigner();
  return {
    publicKey: sendgrid.publicKey,
    async request(body: string, timestamp?: string) {
      const signature = await sendgrid.sign(body, timestamp);
      return new Request("http://localhost/api/sendgrid-events", {
        method: "POST",
        body,
        headers: { "content-type": "application/json", ...signature },
      });
    },
  };
}

async function acceptedDelivery(h: MailHarness) {
  await h.post(bookingEvent("BOOKING_CREATED", { uid: "uid-events" }));
  await h.settle();
  const [d] = await h.deliveries();
  assert.equal(d.status, "accepted");
  return d;
}

const batch = (events: Record<string, unknown>[]) =>
  events.map((e) => JSON.stringify(e)).join(",\r\n").replace(/^/, "[").concat("]\r\n");

Deno.test("[sendgrid-events] signed events move the delivery; bad and stale are refused", async () => {
  const s = await signer();
  const h = await startMailHarness("kv", { env: { SENDGRID_EVENT_PUBLIC_KEY: s.publicKey } });
  try {
    const d = await acceptedDelivery(h);
    const ts = Math.floor(Date.now() / 1000);
    const event = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
      email: "staff@example.com",
      event: name,
      sg_event_id: id,
      sg_message_id: `${d.messageId}.filterdrecv-1`,
      timestamp: ts,
      delivery_id: d.id,
      booking_uid: "uid-events",
      ...extra,
    });
    const status = async () => (await h.deliveries())[0];

    const delivered = batch([event("e1", "processed"), event("e2", "delivered")]);
    let res = await h.app.request(await s.request(delivered));
    assert.equal(res.status, 200);
    assert.equal((await status()).status, "delivered");

    // A tampered body, a signature from another key, a stale timestamp: 401, nothing changes.
    const open = batch([event("e3", "open")]);
    const tampered = await s.request(open);
    res = await h.app.request(
      new Request(tampered.url, {
        method: "POST",
        headers: tampered.headers,
        body: open.replace("open", "opem"),
      }),
    );
    assert.equal(res.status, 401);
    res = await h.app.request(await (await signer()).request(open));
    assert.equal(res.status, 401);
    res = await h.app.request(await s.request(open, String(ts - 2 * 24 * 3600)));
    assert.equal(res.status, 401);
    assert.equal((await status()).status, "delivered");

    res = await h.app.request(await s.request(open));
    assert.equal((await res.json()).applied, 1);
    assert.equal((await status()).status, "opened");
    // The same sg_event_id again (SendGrid retries): recorded once.
    res = await h.app.request(await s.request(open));
    assert.equal((await res.json()).applied, 0);
    // A late "deferred" never moves an opened email backwards, but is kept.
    await h.app.request(await s.request(batch([event("e4", "deferred")])));
    const after = await status();
    assert.equal(after.status, "opened");
    assert.deepEqual(after.providerEvents.map((e) => e.event), [
      "processed",
      "delivered",
      "open",
      "deferred",
    ]);
    const health = await (await h.app.fetch("/api/health")).json();
    assert.deepEqual(health.deliveries, { pending: 0, dead: 0 });
  } finally {
    await h.close();
  }
});

Deno.test("[sendgrid-events] bounce by message id when custom args are missing; 404 without a key", async () => {
  const s = await signer();
  const h = await startMailHarness("cron", { env: { SENDGRID_EVENT_PUBLIC_KEY: s.publicKey } });
  try {
    const d = await acceptedDelivery(h);
    const bounce = batch([{
      event: "bounce",
      sg_event_id: "b1",
      sg_message_id: `${d.messageId}.filterdrecv-2`,
      reason: "550 5.1.1 mailbox unavailable",
      timestamp: Math.floor(Date.now() / 1000),
    }]);
    const res = await h.app.request(await s.request(bounce));
    assert.equal(res.status, 200);
    const [after] = await h.deliveries();
    assert.equal(after.status, "bounced");
    assert.equal(after.lastError, "550 5.1.1 mailbox unavailable");
  } finally {
    await h.close();
  }
  const plain = await startMailHarness("cron");
  try {
    const res = await plain.app.request(await s.request("[]"));
    assert.equal(res.status, 404);
  } finally {
    await plain.close();
  }
});

Deno.test("[sendgrid-events] a timestamp no date can hold does not fail the batch", async () => {
  const { parseSendgridEvents } = await import("@/lib/email/event_webhook.ts");
  const body = new TextEncoder().encode(JSON.stringify([
    { event: "delivered", sg_event_id: "a", timestamp: 1e300, delivery_id: "d1" },
    { event: "open", sg_event_id: "b", timestamp: 1_700_000_000, delivery_id: "d1" },
  ]));
  const events = parseSendgridEvents(body);
  assert.equal(events?.length, 2);
  assert.equal(events?.[0].timestamp, undefined);
  assert.equal(events?.[1].timestamp, 1_700_000_000);
});
