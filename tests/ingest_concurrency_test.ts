/**
 * Property: webhooks ingested all at once (so that they share group commits, conflict and retry)
 * leave KV exactly as the same webhooks ingested one by one — same bookings, same statuses, one
 * email per booking per trigger, every duplicate recognised, KV's indexes and counters whole.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseCalcomDelivery } from "@/lib/calcom/event.ts";
import { getBooking } from "@/lib/store/bookings.ts";
import { listBookingDeliveries } from "@/lib/store/deliveries.ts";
import { type IngestResult, recordWebhook } from "@/lib/store/ingest.ts";
import { bookingEvent } from "./helpers/calcom.ts";
import { kvProblems } from "./helpers/kv_invariants.ts";

const UIDS = ["uid-a", "uid-b", "uid-c"];
const TRIGGERS = ["BOOKING_CREATED", "BOOKING_REQUESTED", "BOOKING_CANCELLED", "BOOKING_REJECTED"];
const OPTIONS = { notifyEvents: TRIGGERS, enqueue: false };
const encoder = new TextEncoder();

interface Webhook {
  uid: string;
  trigger: string;
  second: number;
  copies: number;
}

/** A webhook about one of a few bookings; `copies` > 1 sends the same bytes again. */
const webhook: fc.Arbitrary<Webhook> = fc.record({
  uid: fc.constantFrom(...UIDS),
  trigger: fc.constantFrom(...TRIGGERS),
  second: fc.integer({ min: 0, max: 9 }),
  copies: fc.integer({ min: 1, max: 3 }),
});

function bodiesOf(hooks: Webhook[]): Uint8Array<ArrayBuffer>[] {
  return hooks.flatMap(({ uid, trigger, second, copies }) => {
    const status = trigger === "BOOKING_CANCELLED" ? { status: "CANCELLED" } : {};
    const body = encoder.encode(
      bookingEvent(trigger, { uid, ...status }, `2025-02-01T10:00:0${second}.000Z`),
    );
    return Array.from({ length: copies }, () => body);
  });
}

async function ingest(kv: Deno.Kv, body: Uint8Array<ArrayBuffer>): Promise<IngestResult> {
  return await recordWebhook(kv, { body, parsed: parseCalcomDelivery(body) }, OPTIONS);
}

/** What a reader sees: each booking's status and history size, and its emails by trigger. */
async function outcome(kv: Deno.Kv) {
  const out: Record<string, unknown> = {};
  for (const uid of UIDS) {
    const booking = await getBooking(kv, uid);
    const emails = (await listBookingDeliveries(kv, uid)).map((d) => d.trigger).sort();
    out[uid] = { status: booking?.status ?? null, events: booking?.history.length ?? 0, emails };
  }
  return out;
}

Deno.test("[ingest] property: all at once ends like one by one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ingest-concurrency-" });
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(webhook, { minLength: 1, maxLength: 14 }), async (hooks) => {
        const bodies = bodiesOf(hooks);
        const together = await Deno.openKv(`${dir}/together-${run}.sqlite3`);
        const inTurn = await Deno.openKv(`${dir}/in-turn-${run++}.sqlite3`);
        try {
          const results = await Promise.all(bodies.map((body) => ingest(together, body)));
          for (const body of bodies) await ingest(inTurn, body);

          const distinct = new Set(bodies.map((b) => new TextDecoder().decode(b))).size;
          assert.equal(results.filter((r) => r.duplicate).length, bodies.length - distinct);
          assert.deepEqual(await outcome(together), await outcome(inTurn));
          assert.deepEqual((await kvProblems(together)).problems, []);
        } finally {
          together.close();
          inTurn.close();
        }
      }),
      { numRuns: 40 },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
