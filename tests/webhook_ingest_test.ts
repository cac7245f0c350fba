import assert from "node:assert/strict";
import { getBooking } from "@/lib/store/bookings.ts";
import { getEvent, readEventBody } from "@/lib/store/events.ts";
import { listBookingDeliveries } from "@/lib/store/deliveries.ts";
import { startTestApp } from "./helpers/app.ts";
import {
  bookingEvent,
  FIXTURE_NAMES,
  fixtureBody,
  fixtureJson,
  signedWebhookRequest,
  TEST_SECRET,
} from "./helpers/calcom.ts";

async function post(app: Awaited<ReturnType<typeof startTestApp>>, body: string) {
  const res = await app.request(await signedWebhookRequest(body));
  return { status: res.status, type: res.headers.get("content-type"), json: await res.json() };
}

Deno.test("[webhook] every Cal.com fixture is verified, stored and projected", async (t) => {
  const app = await startTestApp();
  for (const name of FIXTURE_NAMES) {
    await t.step(name, async () => {
      const body = fixtureBody(name);
      const res = await post(app, body);
      assert.equal(res.status, 200);
      assert.match(res.type ?? "", /application\/json/);
      assert.equal(res.json.ok, true);
      const event = await getEvent(app.kv, res.json.id);
      assert.ok(event);
      assert.equal(event.trigger, name);
      assert.equal(event.recognised, true);
      assert.equal(new TextDecoder().decode(await readEventBody(app.kv, event)), body);
    });
  }
  await t.step("booking fields are readable from the store", async () => {
    const created = await getBooking(app.kv, "unique-booking-id");
    assert.equal(created?.status, "booked");
    assert.equal(created?.facts?.title, "Strategy Session between Organizer and Guest");
    assert.equal(created?.facts?.startTime, "2024-01-01T10:00:00.000Z");
    assert.equal(created?.facts?.attendees[0].email, "guest@example.com");
    assert.equal(created?.facts?.organizer?.timeZone, "UTC");

    const cancelled = await getBooking(app.kv, "unique-booking-identifier");
    assert.equal(cancelled?.status, "cancelled");
    assert.equal(cancelled?.cancellation?.reason, "I am no longer able to attend this session.");
    // +00:00 in the payload, one UTC form in the store
    assert.equal(cancelled?.facts?.startTime, "2024-01-04T10:00:00.000Z");

    const rescheduled = await getBooking(app.kv, "new-booking-unique-id");
    assert.equal(rescheduled?.status, "booked");
    assert.equal(rescheduled?.rescheduledFrom, "previous-booking-unique-id");
    const previous = await getBooking(app.kv, "previous-booking-unique-id");
    assert.equal(previous?.status, "rescheduled");
    assert.equal(previous?.rescheduledTo, "new-booking-unique-id");
    assert.equal(previous?.facts?.startTime, "2024-01-05T14:30:00.000Z");

    const noShow = await getBooking(app.kv, "5vQFqxDFMjdgKGMijqtqRw");
    assert.equal(noShow?.history[0].noShow, true);
  });
  await t.step("one queued email per notifying trigger", async () => {
    const created = await listBookingDeliveries(app.kv, "unique-booking-id");
    assert.deepEqual(created.map((d) => [d.trigger, d.status]), [["BOOKING_CREATED", "queued"]]);
    assert.equal((await listBookingDeliveries(app.kv, "5vQFqxDFMjdgKGMijqtqRw")).length, 0);
  });
  app.close();
});

Deno.test("[webhook] duplicates are recognised and never queue a second email", async (t) => {
  const app = await startTestApp();
  const body = bookingEvent("BOOKING_CREATED");
  const uid = JSON.parse(body).payload.uid;
  const first = await post(app, body);
  await t.step("exact duplicate: 200 with duplicate:true and the first id", async () => {
    const again = await post(app, body);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, { ok: true, id: first.json.id, duplicate: true });
  });
  await t.step("redelivery with another createdAt is stored but sends no new email", async () => {
    const redelivered = JSON.parse(body);
    redelivered.createdAt = new Date(Date.now() + 1000).toISOString();
    const res = await post(app, JSON.stringify(redelivered));
    assert.equal(res.status, 200);
    assert.notEqual(res.json.id, first.json.id);
    assert.equal((await listBookingDeliveries(app.kv, uid)).length, 1);
  });
  await t.step("concurrent identical deliveries store one event", async () => {
    const fresh = bookingEvent("BOOKING_CREATED");
    const results = await Promise.all([1, 2, 3, 4].map(() => post(app, fresh)));
    assert.equal(new Set(results.map((r) => r.json.id)).size, 1);
    assert.equal(results.filter((r) => r.json.duplicate).length, 3);
  });
  app.close();
});

Deno.test("[webhook] events out of order end in the right booking state", async (t) => {
  const app = await startTestApp();
  const uid = crypto.randomUUID();
  const created = bookingEvent("BOOKING_CREATED", { uid }, "2025-03-01T10:00:00.000Z");
  const cancelled = bookingEvent(
    "BOOKING_CANCELLED",
    { uid, status: "CANCELLED", cancellationReason: "sick", cancelledBy: "guest@example.com" },
    "2025-03-01T11:00:00+00:00",
  );
  await t.step("cancel arrives before its create", async () => {
    assert.equal((await post(app, cancelled)).status, 200);
    assert.equal((await post(app, created)).status, 200);
    const booking = await getBooking(app.kv, uid);
    assert.equal(booking?.status, "cancelled");
    assert.equal(booking?.cancellation?.by, "guest@example.com");
    assert.deepEqual(booking?.history.map((h) => h.trigger), [
      "BOOKING_CREATED",
      "BOOKING_CANCELLED",
    ]);
  });
  await t.step("reschedule arrives before the old booking's create", async () => {
    const oldUid = crypto.randomUUID();
    const newUid = crypto.randomUUID();
    const reschedule = bookingEvent(
      "BOOKING_RESCHEDULED",
      { uid: newUid, rescheduleUid: oldUid, rescheduleStartTime: "2025-04-01T09:00:00Z" },
      "2025-03-02T10:00:00.000Z",
    );
    const oldCreate = bookingEvent(
      "BOOKING_CREATED",
      { uid: oldUid, title: "Original" },
      "2025-03-01T10:00:00.000Z",
    );
    await post(app, reschedule);
    await post(app, oldCreate);
    const old = await getBooking(app.kv, oldUid);
    assert.equal(old?.status, "rescheduled");
    assert.equal(old?.rescheduledTo, newUid);
    assert.equal(old?.facts?.title, "Original");
    assert.equal((await getBooking(app.kv, newUid))?.rescheduledFrom, oldUid);
  });
  await t.step("a burst posted at once (shared commits) loses and mixes up nothing", async () => {
    const uid = crypto.randomUUID();
    const sameBooking = [
      bookingEvent("BOOKING_CREATED", { uid }, "2025-05-01T10:00:00Z"),
      bookingEvent("BOOKING_RESCHEDULED", { uid, title: "Moved" }, "2025-05-01T11:00:00Z"),
      bookingEvent("BOOKING_CANCELLED", { uid, status: "CANCELLED" }, "2025-05-01T12:00:00Z"),
    ];
    const others = Array.from({ length: 30 }, () => bookingEvent("BOOKING_CREATED"));
    const bodies = [...others.slice(0, 15), ...sameBooking, ...others.slice(15)];
    const results = await Promise.all(bodies.map((body) => post(app, body)));
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
    assert.equal(new Set(results.map((r) => r.json.id)).size, bodies.length);
    const booking = await getBooking(app.kv, uid);
    assert.equal(booking?.status, "cancelled");
    assert.equal(booking?.history.length, 3);
    for (const body of others) {
      const stored = await getBooking(app.kv, JSON.parse(body).payload.uid);
      assert.equal(stored?.status, "booked");
      assert.equal((await listBookingDeliveries(app.kv, stored.uid)).length, 1);
    }
  });
  await t.step("a requested booking confirmed later is booked", async () => {
    const id = crypto.randomUUID();
    await post(app, bookingEvent("BOOKING_CREATED", { uid: id }, "2025-03-01T12:00:00Z"));
    await post(app, bookingEvent("BOOKING_REQUESTED", { uid: id }, "2025-03-01T11:00:00Z"));
    assert.equal((await getBooking(app.kv, id))?.status, "booked");
  });
  app.close();
});

Deno.test("[webhook] signed bodies we cannot parse are stored as unrecognised (202)", async (t) => {
  const app = await startTestApp();
  const cases: [string, string, string][] = [
    ["invalid JSON", "{not json", "application/json"],
    [
      "form-urlencoded template",
      "title=Call&start=2025-01-01",
      "application/x-www-form-urlencoded",
    ],
    ["template that rendered to false", "false", "application/json"],
    [
      "unknown future trigger",
      JSON.stringify({ triggerEvent: "BOOKING_TELEPORTED", payload: {} }),
      "application/json",
    ],
    [
      "known trigger without uid",
      JSON.stringify({ triggerEvent: "BOOKING_CREATED", payload: { title: "x" } }),
      "application/json",
    ],
  ];
  for (const [name, body, contentType] of cases) {
    await t.step(name, async () => {
      const res = await app.request(await signedWebhookRequest(body, { contentType }));
      assert.equal(res.status, 202);
      const json = await res.json();
      assert.equal(json.ok, true);
      const event = await getEvent(app.kv, json.id);
      assert.equal(event?.recognised, false);
      assert.equal(new TextDecoder().decode(await readEventBody(app.kv, event!)), body);
    });
  }
  await t.step("the envelope under a form-urlencoded type is still recognised", async () => {
    const res = await app.request(
      await signedWebhookRequest(bookingEvent("BOOKING_CREATED"), {
        contentType: "application/x-www-form-urlencoded",
      }),
    );
    assert.equal(res.status, 200);
  });
  await t.step("PING is acknowledged, stored, never emailed", async () => {
    const ping = JSON.stringify({
      triggerEvent: "PING",
      createdAt: new Date().toISOString(),
      payload: { type: "Test", title: "Test trigger event", attendees: [], organizer: {} },
    });
    const res = await post(app, ping);
    assert.equal(res.status, 200);
    assert.equal((await getEvent(app.kv, res.json.id))?.trigger, "PING");
  });
  app.close();
});

Deno.test("[webhook] signatures: any configured secret, one 401 for every failure", async (t) => {
  const app = await startTestApp({ CALCOM_WEBHOOK_SECRET: `old-secret, ${TEST_SECRET}` });
  const body = bookingEvent("BOOKING_CREATED");
  await t.step("rotation: the old and the new secret both verify", async () => {
    const a = await app.request(await signedWebhookRequest(body, { secret: "old-secret" }));
    const b = await app.request(await signedWebhookRequest(bookingEvent("BOOKING_CREATED")));
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
  });
  await t.step("sha256= prefix is accepted", async () => {
    const fresh = bookingEvent("BOOKING_CREATED");
    const req = await signedWebhookRequest(fresh);
    const res = await app.request(
      await signedWebhookRequest(fresh, {
        signature: "sha256=" + req.headers.get("x-cal-signature-256"),
      }),
    );
    assert.equal(res.status, 200);
  });
  const good = (await signedWebhookRequest(body)).headers.get("x-cal-signature-256")!;
  const failures: [string, string | null, string?][] = [
    ["missing header", null],
    ["no-secret-provided", "no-secret-provided"],
    ["not hex", "z".repeat(64)],
    ["too short", good.slice(0, 62)],
    ["too long", good + "00"],
    ["wrong secret", null, "another-secret"],
    ["flipped bit", good.slice(0, 63) + (good[63] === "0" ? "1" : "0")],
    ["empty", ""],
  ];
  const bodies = new Set<string>();
  for (const [name, signature, secret] of failures) {
    await t.step(name, async () => {
      const res = await app.request(
        await signedWebhookRequest(body + " ", {
          signature: secret ? undefined : signature,
          secret,
        }),
      );
      assert.equal(res.status, 401);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      bodies.add(await res.text());
    });
  }
  await t.step("the 401 body is identical whatever the reason", () => {
    assert.equal(bodies.size, 1);
    assert.doesNotMatch([...bodies][0], /[0-9A-Z]{26}/); // no ids
  });
  await t.step("a signature over other bytes (re-serialised JSON) fails", async () => {
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const res = await app.request(
      await signedWebhookRequest(pretty, { signature: good }),
    );
    assert.equal(res.status, 401);
  });
  app.close();
});

Deno.test("[webhook] body size: 1 MiB cap while streaming, chunked storage above 64 KiB", async (t) => {
  const app = await startTestApp();
  await t.step("a 70 KiB payload round-trips byte for byte", async () => {
    const body = bookingEvent("BOOKING_CREATED", { description: "d".repeat(70 * 1024) });
    const res = await post(app, body);
    assert.equal(res.status, 200);
    const event = await getEvent(app.kv, res.json.id);
    assert.deepEqual(event?.body, { chunks: 2 });
    assert.equal(new TextDecoder().decode(await readEventBody(app.kv, event!)), body);
  });
  await t.step("exactly 1 MiB is accepted", async () => {
    const envelope = bookingEvent("BOOKING_CREATED", { description: "" });
    const pad = 1024 * 1024 - new TextEncoder().encode(envelope).byteLength;
    const body = envelope.replace('"description":""', `"description":"${"x".repeat(pad)}"`);
    assert.equal(new TextEncoder().encode(body).byteLength, 1024 * 1024);
    assert.equal((await post(app, body)).status, 200);
  });
  await t.step("1 MiB + 1 byte gets 413", async () => {
    const res = await app.request(await signedWebhookRequest("x".repeat(1024 * 1024 + 1)));
    assert.equal(res.status, 413);
    await res.body?.cancel();
  });
  await t.step("a lying Content-Length does not get past the cap", async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024).fill(120));
        if (sent > 8 * 1024 * 1024) controller.close();
      },
    });
    const req = new Request("http://localhost/api/calcom-webhook", {
      method: "POST",
      body: stream,
      headers: { "content-length": "10", "x-cal-signature-256": "0".repeat(64) },
    });
    const res = await app.request(req);
    assert.equal(res.status, 413);
    assert.ok(sent < 2 * 1024 * 1024, `read ${sent} bytes before refusing`);
  });
  app.close();
});

Deno.test("[webhook] KV unavailable: 503 and nothing stored; health says so", async () => {
  const app = await startTestApp();
  app.kv.close();
  const res = await app.request(await signedWebhookRequest(bookingEvent("BOOKING_CREATED")));
  assert.equal(res.status, 503);
  assert.equal((await res.json()).ok, false);
  const health = await app.fetch("/api/health");
  assert.equal(health.status, 503);
  assert.equal((await health.json()).kv, "unreachable");
});

Deno.test("[webhook] other methods get 405 with Allow", async () => {
  const app = await startTestApp();
  const res = await app.fetch("/api/calcom-webhook");
  assert.equal(res.status, 405);
  assert.match(res.headers.get("allow") ?? "", /POST/);
  await res.body?.cancel();
  app.close();
});

Deno.test("[health] reports KV, queue mode, pending and dead emails, last webhook", async () => {
  const app = await startTestApp();
  const before = await (await app.fetch("/api/health")).json();
  assert.deepEqual(before, {
    ok: true,
    kv: "ok",
    queueMode: "cron",
    deliveries: { pending: 0, dead: 0 },
    lastWebhookAt: null,
  });
  await post(app, fixtureBody("BOOKING_CREATED"));
  const res = await app.fetch("/api/health");
  assert.equal(res.status, 200);
  const after = await res.json();
  assert.equal(after.deliveries.pending, 1);
  assert.ok(Date.parse(after.lastWebhookAt) > 0);
  assert.doesNotMatch(JSON.stringify(after), /example\.com|secret/);
  void fixtureJson;
  app.close();
});

Deno.test("[request-id] honoured or made, returned as a header, stored, never in the body", async (t) => {
  const app = await startTestApp();
  await t.step("an incoming id is echoed and stored on the event", async () => {
    const req = await signedWebhookRequest(bookingEvent("BOOKING_CREATED"), {
      headers: { "x-request-id": "calcom-test-42" },
    });
    const res = await app.request(req);
    assert.equal(res.headers.get("x-request-id"), "calcom-test-42");
    const { id } = await res.json();
    assert.equal((await getEvent(app.kv, id))?.requestId, "calcom-test-42");
  });
  await t.step("a hostile id is replaced by a fresh one", async () => {
    const res = await app.fetch("/api/health", {
      headers: { "x-request-id": "a b <script>;" + "x".repeat(200) },
    });
    assert.match(res.headers.get("x-request-id") ?? "", /^[0-9A-Z]{26}$/);
    await res.body?.cancel();
  });
  await t.step("the 401 body stays identical with a request id", async () => {
    const res = await app.request(
      await signedWebhookRequest("{}", { signature: null, headers: { "x-request-id": "rid-1" } }),
    );
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("x-request-id"), "rid-1");
    assert.doesNotMatch(await res.text(), /rid-1/);
  });
  app.close();
});

Deno.test("[headers] every response is nosniff; HTML outside /admin gets the security headers", async () => {
  const app = await startTestApp();
  const missing = await app.fetch("/no-such-page");
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get("x-content-type-options"), "nosniff");
  const type = missing.headers.get("content-type") ?? "";
  if (type.startsWith("text/html")) {
    assert.match(missing.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
  }
  await missing.body?.cancel();
  const api = await app.fetch("/api/health");
  assert.equal(api.headers.get("x-content-type-options"), "nosniff");
  await api.body?.cancel();
  app.close();
});
