/**
 * The SendGrid transport never sends a request twice on its own. SendGrid has no idempotency
 * key, so a POST /v3/mail/send replayed below the outbox is a second email. The real
 * @sendgrid/mail client runs against a wire-level fake that keeps connections alive and fails
 * each way a network can: every transport call must reach the fake exactly once.
 */
import assert from "node:assert/strict";
import { createSendgridTransport } from "@/lib/email/sendgrid.ts";
import type { OutgoingEmail, SendResult } from "@/lib/email/types.ts";
import { startWireSendgrid, type WireStep } from "./fakes/sendgrid_wire.ts";

/** Short, so a hang costs little; the fake holds a hung request until it closes. */
const TIMEOUT_MS = 150;

function email(n: number): OutgoingEmail {
  const id = `delivery-${n}`;
  return {
    deliveryId: id,
    bookingUid: "uid-transport",
    trigger: "BOOKING_CREATED",
    from: "bookings@example.com",
    to: ["staff@example.com"],
    subject: "New booking",
    text: "A booking.",
    // Several KB, like a real email: the body spans many TCP reads at the fake.
    html: `<p>${"A booking. ".repeat(400)}</p>`,
    categories: ["calcom-webhook", "booking-created"],
    customArgs: { delivery_id: id, booking_uid: "uid-transport" },
  };
}

function assertOutcome(step: WireStep, result: SendResult) {
  if (step === "accept") return assert.equal(result.ok, true, "accepted");
  assert.equal(result.ok, false, `${step} is not a success`);
  if (result.ok) return;
  assert.equal(result.permanent, false, `${step} is retryable`);
  if (step === "server_error") assert.equal(result.httpStatus, 500);
  if (step === "rate_limit") assert.equal(result.retryAfterMs, 60_000);
  if (step === "hang") assert.match(result.error, /network: ECONNABORTED/);
  if (step.startsWith("drop")) assert.match(result.error, /^network: /);
}

/** Runs the script one call per step, then one accepted call; one request per call. */
async function assertOneRequestPerCall(steps: WireStep[]) {
  const fake = startWireSendgrid();
  try {
    const transport = createSendgridTransport(
      { apiKey: fake.apiKey, apiUrl: fake.url },
      { timeoutMs: TIMEOUT_MS },
    );
    fake.script(...steps);
    const calls = [...steps, "accept" as const];
    for (const [i, step] of calls.entries()) {
      const before = fake.requests.length;
      const result = await transport.send(email(i));
      const seen = fake.requests.slice(before).map((r) => r.step);
      assert.deepEqual(seen, [step], `call ${i} (${step}) reached the fake once: ${seen}`);
      assertOutcome(step, result);
    }
    // A replay can also trail the last call (a destroyed request re-queued): give it a chance.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fake.requests.length, calls.length, "no request after the last call");
  } finally {
    await fake.close();
  }
}

const FAILURES: WireStep[] = [
  "server_error",
  "rate_limit",
  "hang",
  "drop_unread",
  "drop_after_read",
  "drop_mid_response",
];

for (const failure of FAILURES) {
  // After an accepted request the socket is idle in the pool: the next request reuses it.
  Deno.test(`[email] transport: ${failure} on a reused connection reaches SendGrid once`, () =>
    assertOneRequestPerCall(["accept", failure]));
  // A hang ends with the client destroying a (reused) socket, the case that resurrected POSTs.
  Deno.test(`[email] transport: ${failure} right after a timeout reaches SendGrid once`, () =>
    assertOneRequestPerCall(["server_error", "hang", failure]));
}

const ORDERS: WireStep[][] = [
  ["server_error", "hang", "drop_mid_response"],
  ["server_error", "hang", "drop_after_read"],
  FAILURES,
  [...FAILURES].reverse(),
  ["rate_limit", "drop_unread", "accept", "drop_after_read", "hang", "hang", "server_error"],
  ["drop_mid_response", "accept", "hang", "accept", "drop_unread", "rate_limit", "accept"],
];

for (const order of ORDERS) {
  Deno.test(`[email] transport: ${order.join(", ")}: one request per call`, () =>
    assertOneRequestPerCall(order));
}

Deno.test("[email] transport: each request goes out on its own connection", async () => {
  const fake = startWireSendgrid();
  try {
    const transport = createSendgridTransport({ apiKey: fake.apiKey, apiUrl: fake.url });
    for (let i = 0; i < 3; i++) assert.equal((await transport.send(email(i))).ok, true);
    // A pooled keep-alive socket is what Deno's node:http replays a request on.
    assert.deepEqual(fake.requests.map((r) => r.connection), [1, 2, 3]);
  } finally {
    await fake.close();
  }
});
