/**
 * Our SendGrid client side against a peer that answers the way api.sendgrid.com does, not the
 * way our fake (tests/fakes/sendgrid.ts) happens to: a plain Deno.serve on loopback, reached
 * through the real @sendgrid/mail client as the app configures it (SENDGRID_API_URL). Each
 * answer must land in the right delivery state with the attempt recorded, and reach the peer
 * exactly once. Then the signed Event Webhook, posted the way SendGrid posts it.
 */
import assert from "node:assert/strict";
import { createSendgridTransport } from "@/lib/email/sendgrid.ts";
import { createDispatcher, sweepDueDeliveries } from "@/lib/outbox/mod.ts";
import type { DeliveryRecord } from "@/lib/store/deliveries.ts";
import { eventWebhookSigner } from "./fakes/sendgrid.ts";
import { startTestApp } from "./helpers/app.ts";
import { bookingEvent, fixtureJson, signedWebhookRequest } from "./helpers/calcom.ts";

const API_KEY = "SG.peer-key";
const TIMEOUT_MS = 200;

interface PeerRequest {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

type Answer = (req: PeerRequest, url: string) => Response | Promise<Response>;

/** A SendGrid stand-in: records every request, answers with `answer`. */
function startPeer(answer: Answer) {
  const requests: PeerRequest[] = [];
  let url = "";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const r = {
      method: req.method,
      path: new URL(req.url).pathname,
      headers: req.headers,
      body: await req.text(),
    };
    requests.push(r);
    return await answer(r, url);
  });
  url = `http://127.0.0.1:${server.addr.port}`;
  return { url, requests, close: () => server.shutdown() };
}

/** A peer that reads the request, then closes the connection without an answer. */
function startResettingPeer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      connections++;
      await conn.read(new Uint8Array(64 * 1024)).catch(() => null);
      conn.close();
    }
  })();
  return {
    url: `http://127.0.0.1:${listener.addr.port}`,
    connections: () => connections,
    async close() {
      listener.close();
      await serving.catch(() => {});
    },
  };
}

const sgErrors = (message: string, field: string | null = null) =>
  JSON.stringify({ errors: [{ message, field, help: null }] });
const jsonHeaders = { "content-type": "application/json" };

/** One booking webhook through the app, one sweep against `apiUrl`: the delivery after it. */
async function oneAttempt(
  apiUrl: string,
  payload: Record<string, unknown> = {},
): Promise<{ delivery: DeliveryRecord; at: number }> {
  const app = await startTestApp({
    SENDGRID_API_KEY: API_KEY,
    SENDGRID_API_URL: apiUrl,
    EMAIL_FROM: "bookings@example.com",
    // The same address twice (case aside): SendGrid refuses a repeated address with 400.
    EMAIL_TO: "staff@example.com,owner@example.com,Staff@Example.com",
  });
  try {
    const res = await app.request(
      await signedWebhookRequest(bookingEvent("BOOKING_CREATED", payload)),
    );
    assert.equal(res.status, 200);
    const at = Date.now();
    const dispatcher = createDispatcher(app.services, {
      clock: () => at,
      random: () => 0.5,
      timeoutMs: TIMEOUT_MS,
    });
    await sweepDueDeliveries(dispatcher);
    const [delivery] = await Array.fromAsync(
      app.kv.list<DeliveryRecord>({ prefix: ["delivery"] }),
      (e) => e.value,
    );
    return { delivery, at };
  } finally {
    app.close();
  }
}

/** The delivery after one attempt against a peer answering `answer`; one request, no more. */
async function attemptAgainst(answer: Answer) {
  const peer = startPeer(answer);
  try {
    const result = await oneAttempt(peer.url);
    // A replay below the outbox could trail the attempt: give it a moment to show.
    await new Promise((r) => setTimeout(r, 50));
    const sends = peer.requests.filter((r) => r.path === "/v3/mail/send");
    assert.equal(sends.length, 1, "the client library sent the email exactly once");
    return { ...result, requests: peer.requests };
  } finally {
    await peer.close();
  }
}

Deno.test("[sendgrid-peer] mail/send request: path, auth, body shape SendGrid accepts", async () => {
  const guest = fixtureJson("BOOKING_CREATED").payload.attendees[0];
  const { delivery, requests } = await attemptAgainst(() =>
    new Response(null, { status: 202, headers: { "x-message-id": "W86EgYT6SQKk0lRflfLRsA" } })
  );
  const [req] = requests;
  assert.equal(req.method, "POST");
  assert.equal(req.path, "/v3/mail/send");
  assert.equal(req.headers.get("authorization"), `Bearer ${API_KEY}`);
  assert.match(req.headers.get("content-type") ?? "", /^application\/json/);
  const body = JSON.parse(req.body);
  assert.equal(body.personalizations.length, 1);
  assert.deepEqual(body.personalizations[0].to, [
    { email: "staff@example.com" },
    { email: "owner@example.com" },
  ]);
  assert.deepEqual(body.from, { email: "bookings@example.com" });
  assert.deepEqual(body.reply_to, { email: guest.email, name: guest.name });
  assert.equal(typeof body.subject, "string");
  assert.ok(body.subject.length > 0 && !/[\r\n]/.test(body.subject));
  // SendGrid: text/plain first, then text/html; every value non-empty.
  assert.deepEqual(body.content.map((c: { type: string }) => c.type), ["text/plain", "text/html"]);
  assert.ok(body.content.every((c: { value: string }) => c.value.length > 0));
  const [ics] = body.attachments;
  assert.equal(ics.type, "text/calendar");
  assert.equal(ics.disposition, "attachment");
  assert.match(ics.filename, /\.ics$/);
  assert.match(ics.content, /^[A-Za-z0-9+/]+={0,2}$/);
  assert.match(atob(ics.content), /^BEGIN:VCALENDAR\r\n/);
  assert.deepEqual(body.custom_args, {
    delivery_id: delivery.id,
    booking_uid: delivery.bookingUid,
  });
  assert.ok(Object.values(body.custom_args).every((v) => typeof v === "string"));
  assert.ok(new TextEncoder().encode(JSON.stringify(body.custom_args)).length < 10_000);
  assert.ok(body.categories.length <= 10);
  assert.ok(body.categories.every((c: string) => typeof c === "string" && c.length <= 255));
  assert.equal(body.headers, undefined, "no custom headers");
  assert.equal(delivery.status, "accepted");
  assert.equal(delivery.messageId, "W86EgYT6SQKk0lRflfLRsA");
});

Deno.test("[sendgrid-peer] names and subjects a booker typed carry no line breaks", async () => {
  const guest = fixtureJson("BOOKING_CREATED").payload.attendees[0];
  const peer = startPeer(() => new Response(null, { status: 202 }));
  try {
    await oneAttempt(peer.url, {
      title: "Intro\r\nBcc: victim@example.org",
      attendees: [{ ...guest, name: "Eve\r\nBcc: victim@example.org\n" }],
    });
    const body = JSON.parse(peer.requests[0].body);
    assert.ok(!/[\r\n]/.test(body.subject), body.subject);
    assert.ok(!/[\r\n]/.test(body.reply_to.name), body.reply_to.name);
    assert.ok(!/[\r\n]/.test(JSON.stringify(body.personalizations)));
  } finally {
    await peer.close();
  }
});

Deno.test("[sendgrid-peer] a stored email with CR/LF, a long custom arg and a 1 MB invite is still sendable", async () => {
  const peer = startPeer(() => new Response(null, { status: 202 }));
  try {
    const transport = createSendgridTransport({ apiKey: API_KEY, apiUrl: peer.url });
    const calendar = "BEGIN:VCALENDAR\r\n" + "X-NOTE:é\r\n".repeat(100_000) + "END:VCALENDAR\r\n";
    const result = await transport.send({
      deliveryId: "d-1",
      bookingUid: "u".repeat(20_000),
      trigger: "BOOKING_CREATED",
      from: "bookings@example.com",
      to: ["staff@example.com"],
      replyTo: { email: "guest@example.com", name: "Guest\r\nBcc: x@example.org" },
      subject: "New booking\r\nBcc: x@example.org",
      text: "text",
      html: "<p>html</p>",
      calendar: { filename: "invite.ics", method: "REQUEST", content: calendar },
      categories: ["calcom-webhook"],
      customArgs: { delivery_id: "d-1", booking_uid: "u".repeat(20_000) },
    });
    assert.equal(result.ok, true, JSON.stringify(result));
    const body = JSON.parse(peer.requests[0].body);
    assert.equal(body.subject, "New booking Bcc: x@example.org");
    assert.equal(body.reply_to.name, "Guest Bcc: x@example.org");
    // The delivery id joins events back; a value that would break SendGrid's limit is left out.
    assert.deepEqual(body.custom_args, { delivery_id: "d-1" });
    const bytes = Uint8Array.from(atob(body.attachments[0].content), (c) => c.charCodeAt(0));
    assert.equal(new TextDecoder().decode(bytes), calendar);
  } finally {
    await peer.close();
  }
});

/** How an attempt must end: the record's status, the attempt's HTTP status and error text. */
interface Expected {
  status: "accepted" | "queued" | "failed";
  httpStatus?: number;
  error?: RegExp;
  messageId?: string;
  /** For queued: the next attempt is due between these many ms after the attempt. */
  dueIn?: [number, number];
}

const RESPONSES: [string, Answer, Expected][] = [
  [
    "202 with X-Message-Id",
    () =>
      new Response(null, { status: 202, headers: { "X-Message-Id": "LRzXl_NHStOGhQ4kofSm_A" } }),
    { status: "accepted", httpStatus: 202, messageId: "LRzXl_NHStOGhQ4kofSm_A" },
  ],
  ["202 without X-Message-Id", () => new Response(null, { status: 202 }), {
    status: "accepted",
    httpStatus: 202,
  }],
  ["200 (sandbox mode)", () => new Response(null, { status: 200 }), {
    status: "accepted",
    httpStatus: 200,
  }],
  [
    "400 with errors[]",
    () =>
      new Response(
        sgErrors("The from address does not match a verified Sender Identity.", "from"),
        { status: 400, headers: jsonHeaders },
      ),
    {
      status: "failed",
      httpStatus: 400,
      error: /^HTTP 400: The from address does not match a verified Sender Identity\. \(from\)$/,
    },
  ],
  [
    "401",
    () => new Response(sgErrors("authorization required"), { status: 401, headers: jsonHeaders }),
    { status: "failed", httpStatus: 401, error: /^HTTP 401: authorization required$/ },
  ],
  [
    "403",
    () =>
      new Response(sgErrors("You are temporarily blocked from sending emails."), {
        status: 403,
        headers: jsonHeaders,
      }),
    { status: "failed", httpStatus: 403, error: /temporarily blocked/ },
  ],
  [
    "413 with an HTML body",
    () => new Response("<html>Request Entity Too Large</html>", { status: 413 }),
    { status: "failed", httpStatus: 413, error: /^HTTP 413$/ },
  ],
  [
    "429 with Retry-After seconds",
    () =>
      new Response(sgErrors("too many requests"), {
        status: 429,
        headers: { ...jsonHeaders, "retry-after": "120" },
      }),
    { status: "queued", httpStatus: 429, error: /too many requests/, dueIn: [119_000, 121_000] },
  ],
  [
    "429 with Retry-After as an HTTP date",
    () =>
      new Response(sgErrors("too many requests"), {
        status: 429,
        headers: { "retry-after": new Date(Date.now() + 180_000).toUTCString() },
      }),
    { status: "queued", httpStatus: 429, dueIn: [177_000, 181_000] },
  ],
  [
    "429 with X-RateLimit-Reset",
    () =>
      new Response(sgErrors("too many requests"), {
        status: 429,
        headers: {
          "x-ratelimit-limit": "600",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 90),
        },
      }),
    { status: "queued", httpStatus: 429, dueIn: [88_000, 91_000] },
  ],
  [
    "429 without any hint",
    () => new Response(sgErrors("too many requests"), { status: 429 }),
    { status: "queued", httpStatus: 429, dueIn: [5_000, 5_000] },
  ],
  [
    "500 with an HTML body",
    () =>
      new Response("<html><h1>500</h1></html>", {
        status: 500,
        headers: { "content-type": "text/html" },
      }),
    { status: "queued", httpStatus: 500, error: /^HTTP 500$/, dueIn: [5_000, 5_000] },
  ],
  ["502 with an empty body", () => new Response(null, { status: 502 }), {
    status: "queued",
    httpStatus: 502,
    error: /^HTTP 502$/,
    dueIn: [5_000, 5_000],
  }],
  [
    "503 with Retry-After",
    () => new Response("<html>busy</html>", { status: 503, headers: { "retry-after": "30" } }),
    { status: "queued", httpStatus: 503, dueIn: [30_000, 30_000] },
  ],
  [
    "an answer slower than the client's timeout",
    async () => {
      await new Promise((r) => setTimeout(r, TIMEOUT_MS * 3));
      return new Response(null, { status: 202, headers: { "x-message-id": "late" } });
    },
    { status: "queued", error: /^network: ECONNABORTED/, dueIn: [5_000, 5_000] },
  ],
  ...[301, 302, 307, 308].map((code): [string, Answer, Expected] => [
    `${code} redirect`,
    (req, url) =>
      req.path === "/v3/mail/send"
        ? new Response(null, { status: code, headers: { location: `${url}/elsewhere` } })
        : new Response(null, { status: 202, headers: { "x-message-id": "followed" } }),
    { status: "failed", httpStatus: code, error: /redirect not followed/ },
  ]),
];

for (const [name, answer, expected] of RESPONSES) {
  Deno.test(`[sendgrid-peer] ${name} → ${expected.status}`, async () => {
    const { delivery: d, at, requests } = await attemptAgainst(answer);
    assert.deepEqual(requests.map((r) => r.path), ["/v3/mail/send"], "no redirect followed");
    assert.equal(d.status, expected.status);
    assert.equal(d.attempts.length, 1);
    const [attempt] = d.attempts;
    assert.equal(attempt.httpStatus, expected.httpStatus);
    assert.equal(d.messageId, expected.messageId);
    assert.equal(attempt.messageId, expected.messageId);
    if (expected.status === "accepted") {
      assert.equal(attempt.error, undefined);
      return;
    }
    assert.ok(attempt.error, "the attempt records why");
    assert.equal(d.lastError, attempt.error);
    if (expected.error) assert.match(attempt.error, expected.error);
    if (expected.dueIn) {
      const [min, max] = expected.dueIn;
      const dueIn = d.dueAt - at;
      assert.ok(dueIn >= min && dueIn <= max, `next attempt in ${dueIn} ms, not ${min}-${max}`);
    }
  });
}

Deno.test("[sendgrid-peer] a connection reset → queued for a retry, sent once", async () => {
  const peer = startResettingPeer();
  try {
    const { delivery: d, at } = await oneAttempt(peer.url);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(peer.connections(), 1);
    assert.equal(d.status, "queued");
    assert.equal(d.attempts.length, 1);
    assert.equal(d.attempts[0].httpStatus, undefined);
    assert.match(d.attempts[0].error ?? "", /^network: /);
    assert.equal(d.dueAt - at, 5_000);
  } finally {
    await peer.close();
  }
});

/**
 * The app with four emails accepted by a peer whose X-Message-Ids have dots, as the one in
 * SendGrid's Event Webhook reference does (`14c5d75ce93.dfd.64b469`).
 */
async function appWithAcceptedEmails(publicKey: string) {
  let n = 0;
  const peer = startPeer(() =>
    new Response(null, { status: 202, headers: { "x-message-id": `${++n}c5d75ce93.dfd.64b469` } })
  );
  const app = await startTestApp({
    SENDGRID_API_KEY: API_KEY,
    SENDGRID_API_URL: peer.url,
    SENDGRID_EVENT_PUBLIC_KEY: publicKey,
    EMAIL_FROM: "bookings@example.com",
    EMAIL_TO: "staff@example.com,owner@example.com",
  });
  for (let i = 0; i < 4; i++) {
    await app.request(await signedWebhookRequest(bookingEvent("BOOKING_CREATED")));
  }
  await sweepDueDeliveries(createDispatcher(app.services, { timeoutMs: 2_000 }));
  await peer.close();
  const deliveries = async () =>
    (await Array.fromAsync(app.kv.list<DeliveryRecord>({ prefix: ["delivery"] }), (e) => e.value))
      .sort((a, b) => a.messageId!.localeCompare(b.messageId!));
  return { app, deliveries };
}

/** A batch as SendGrid posts it: a JSON array, one event per line, CRLF line ends. */
const sgBatch = (events: unknown[]) =>
  "[" + events.map((e) => JSON.stringify(e)).join(",\r\n") + "]\r\n";

function eventsRequest(body: string, headers: Record<string, string>) {
  return new Request("http://localhost/api/sendgrid-events", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "user-agent": "SendGrid Event API", ...headers },
  });
}

Deno.test("[sendgrid-peer] Event Webhook: a mixed real batch moves each email; retries are no-ops", async () => {
  const signer = await eventWebhookSigner();
  const { app, deliveries } = await appWithAcceptedEmails(signer.publicKey);
  try {
    const [a, b, c, d] = await deliveries();
    assert.ok([a, b, c, d].every((x) => x.status === "accepted" && x.messageId?.includes(".")));
    const ts = Math.floor(Date.now() / 1000);
    let seq = 0;
    const event = (x: DeliveryRecord, name: string, extra: Record<string, unknown> = {}) => ({
      email: "staff@example.com",
      timestamp: ts + seq,
      "smtp-id": `<${x.messageId}@ismtpd-555>`,
      event: name,
      category: ["calcom-webhook", "booking-created"],
      sg_event_id: `ev-${++seq}`,
      sg_message_id: `${x.messageId}.filter0001.16648.5515E0B88.0`,
      delivery_id: x.id,
      booking_uid: x.bookingUid,
      ...extra,
    });
    const { delivery_id: _, ...withoutArgs } = event(b, "bounce", {
      type: "bounce",
      status: "5.1.1",
      reason: "550 5.1.1 The email account does not exist.",
      bounce_classification: "Invalid Address",
    });
    const duplicate = event(a, "delivered");
    const body = sgBatch([
      event(a, "processed"),
      event(a, "deferred", { response: "400 try again later", attempt: "5" }),
      duplicate,
      duplicate, // the same sg_event_id twice in one batch
      event(a, "open", { sg_machine_open: false, useragent: "Mozilla/5.0", ip: "192.0.2.1" }),
      event(a, "click", { url: "https://hooks.example.com/admin", url_offset: { index: 0 } }),
      event(a, "spamreport"),
      event(a, "unsubscribe"),
      event(a, "group_unsubscribe", { asm_group_id: 10 }),
      event(a, "some_future_event"),
      withoutArgs, // no custom args: joined by sg_message_id
      event(c, "bounce", { type: "blocked", reason: "550 blocked by policy", status: "5.7.1" }),
      event(d, "dropped", { reason: "Bounced Address", status: "5.0.0" }),
      // Not ours, or not usable: ignored without failing the batch.
      {
        email: "x@example.com",
        event: "group_resubscribe",
        sg_event_id: "ev-other",
        timestamp: ts,
      },
      {
        event: "account_status_change",
        sg_event_id: "ev-acct",
        timestamp: ts,
        type: "compliance_suspend",
      },
      { event: "delivered", timestamp: ts, delivery_id: a.id }, // no sg_event_id
      42,
      null,
      "processed",
    ]);
    const post = async () => await app.request(eventsRequest(body, await signer.sign(body)));
    const res = await post();
    assert.equal(res.status, 200);
    const first = await res.json();
    assert.equal(first.received, 15);
    assert.equal(first.applied, 12, "13 events on our emails, the duplicate once");
    const [a2, b2, c2, d2] = await deliveries();
    assert.equal(a2.status, "opened");
    assert.deepEqual(a2.providerEvents.map((e) => e.event), [
      "processed",
      "deferred",
      "delivered",
      "open",
      "click",
      "spamreport",
      "unsubscribe",
      "group_unsubscribe",
      "some_future_event",
    ]);
    assert.equal(b2.status, "bounced");
    assert.equal(b2.lastError, "550 5.1.1 The email account does not exist.");
    assert.equal(c2.status, "bounced");
    assert.equal(c2.lastError, "550 blocked by policy");
    assert.equal(d2.status, "dropped");
    assert.equal(d2.lastError, "Bounced Address");
    // SendGrid posts the batch again (it missed our answer): 2xx, nothing recorded twice.
    const again = await post();
    assert.equal(again.status, 200);
    assert.equal((await again.json()).applied, 0);
    assert.equal((await deliveries())[0].providerEvents.length, 9);
  } finally {
    app.close();
  }
});

Deno.test("[sendgrid-peer] Event Webhook: signature checked over timestamp + raw bytes; bodies it cannot use still 2xx", async () => {
  const signer = await eventWebhookSigner();
  const { app, deliveries } = await appWithAcceptedEmails(signer.publicKey);
  try {
    const [a] = await deliveries();
    const body = sgBatch([{
      email: "staff@example.com",
      timestamp: Math.floor(Date.now() / 1000),
      event: "delivered",
      sg_event_id: "sig-1",
      sg_message_id: `${a.messageId}.filter0001`,
      delivery_id: a.id,
    }]);
    const headers = await signer.sign(body);
    const other = await (await eventWebhookSigner()).sign(body);
    const refused = [
      eventsRequest(body, {}),
      eventsRequest(body.trimEnd(), headers),
      eventsRequest(body.replace("delivered", "bounce"), headers),
      eventsRequest(body, other),
      eventsRequest(body, {
        ...headers,
        "x-twilio-email-event-webhook-timestamp": String(
          Number(headers["x-twilio-email-event-webhook-timestamp"]) + 1,
        ),
      }),
      eventsRequest(body, {
        ...headers,
        "x-twilio-email-event-webhook-signature": "not base64 DER",
      }),
    ];
    for (const req of refused) {
      const res = await app.request(req);
      assert.ok(res.status === 401 || res.status === 403, `refused with ${res.status}`);
      await res.body?.cancel();
    }
    assert.equal((await deliveries())[0].status, "accepted");
    // Signed, but nothing we can use: acknowledged, or SendGrid posts it again for 24 hours.
    for (const unusable of ['{"event":"processed"}', "not json\r\n", "[]\r\n"]) {
      const res = await app.request(eventsRequest(unusable, await signer.sign(unusable)));
      assert.equal(res.status, 200, unusable);
      await res.body?.cancel();
    }
    const ok = await app.request(eventsRequest(body, headers));
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).applied, 1);
    assert.equal((await deliveries())[0].status, "delivered");
  } finally {
    app.close();
  }
});
