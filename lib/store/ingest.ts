/**
 * The one commit that makes a webhook event visible: the event and its indexes, the booking
 * projection(s), the outbox delivery (one email per booking uid per trigger) and counters, all in
 * one `kv.atomic()` guarded by checks, retried with fresh reads when another event for the same
 * booking commits first. Nothing is half-written: either all of it lands or none. Under load,
 * events that arrive together share that commit (group_commit.ts).
 * @module
 */
import type { ParsedDelivery } from "../calcom/event.ts";
import { addBookingMutations, bookingChangesFor, bookingKey } from "./bookings.ts";
import type { BookingRecord } from "./booking_projection.ts";
import { adjustCounter } from "./counters.ts";
import { addDeliveryMutations, notificationKey, notificationSlot } from "./deliveries.ts";
import {
  addEventMutations,
  bodyDigest,
  digestKey,
  INLINE_BODY_LIMIT,
  storeBodyChunks,
} from "./events.ts";
import { groupedAtomic } from "./group_commit.ts";
import { newId } from "./ids.ts";

export interface IncomingWebhook {
  body: Uint8Array<ArrayBuffer>;
  parsed: ParsedDelivery;
  contentType?: string;
  webhookVersion?: string;
  requestId?: string;
  receivedAt?: Date;
}

export interface IngestOptions {
  /** Triggers that email staff (NOTIFY_EVENTS). */
  notifyEvents: readonly string[];
  /** Put new deliveries on the KV queue too (QUEUE_MODE=kv). */
  enqueue: boolean;
}

export interface IngestResult {
  id: string;
  duplicate: boolean;
  deliveryIds: string[];
}

/** Key of the last accepted event; also the change signal the dashboard watches. */
export const LAST_EVENT_KEY = ["meta", "last_event"] as const;
const MAX_COMMIT_TRIES = 20;

/**
 * Stores a verified webhook durably. Resolves only after the commit; throws when KV fails.
 *
 * @example
 * const { id, duplicate } = await recordWebhook(kv, { body, parsed }, options);
 */
export async function recordWebhook(
  kv: Deno.Kv,
  incoming: IncomingWebhook,
  options: IngestOptions,
): Promise<IngestResult> {
  const digest = await bodyDigest(incoming.body);
  const received = incoming.receivedAt ?? new Date();
  const id = newId(received.getTime());
  const event = incoming.parsed.recognised ? incoming.parsed.event : undefined;
  const changes = event ? bookingChangesFor(event, id, received.toISOString()) : [];
  const notify = event?.kind === "booking" && options.notifyEvents.includes(event.trigger)
    ? {
      uid: event.booking.uid,
      trigger: event.trigger,
      slot: notificationSlot(event.trigger, event.booking),
    }
    : undefined;
  const trigger = event?.trigger ??
    (incoming.parsed.recognised ? undefined : incoming.parsed.trigger);

  let chunksStored = false;
  // An event that starts a booking almost always finds nothing stored: its first commit skips
  // the snapshot read and checks that the keys are still absent (versionstamp null). If any
  // exists (a duplicate, a known booking), the commit fails and the loop reads for real.
  let assumeNew = startsBooking(incoming, changes.length);
  for (let attempt = 0; attempt < MAX_COMMIT_TRIES; attempt++) {
    const keys: Deno.KvKey[] = [digestKey(digest), ...changes.map((c) => bookingKey(c.uid))];
    if (notify) keys.push(notificationKey(notify.uid, notify.slot));
    const [existing, ...rest] = assumeNew ? keys.map(absent) : await kv.getMany(keys);
    assumeNew = false;
    if (existing.value) return await countDuplicate(kv, existing.value as string);
    if (!chunksStored) {
      await storeBodyChunks(kv, digest, incoming.body);
      chunksStored = true;
    }
    const bookings = rest.slice(0, changes.length) as Deno.KvEntryMaybe<BookingRecord>[];
    const notificationExists = notify !== undefined && rest[changes.length].versionstamp !== null;

    const op = groupedAtomic(kv);
    addEventMutations(op, {
      id,
      receivedAt: received.toISOString(),
      digest,
      body: incoming.body,
      contentType: incoming.contentType,
      webhookVersion: incoming.webhookVersion,
      requestId: incoming.requestId,
      trigger,
      reason: incoming.parsed.recognised ? undefined : incoming.parsed.reason,
      event,
      bookingUids: changes.map((c) => c.uid),
    });
    changes.forEach((change, i) => addBookingMutations(op, bookings[i], change));
    const deliveryIds: string[] = [];
    if (notify && !notificationExists) {
      const delivery = addDeliveryMutations(op, {
        id: newId(received.getTime()),
        bookingUid: notify.uid,
        trigger: notify.trigger,
        slot: notify.slot,
        eventId: id,
        now: received,
        requestId: incoming.requestId,
        enqueue: options.enqueue,
      });
      deliveryIds.push(delivery.id);
    }
    addEventCounters(op, trigger, event !== undefined, received);
    op.set(LAST_EVENT_KEY, { id, at: received.toISOString() });
    if ((await op.commit()).ok) return { id, duplicate: false, deliveryIds };
  }
  throw new Error("ingest commit kept conflicting");
}

const NEW_BOOKING_TRIGGERS = new Set(["BOOKING_CREATED", "BOOKING_REQUESTED"]);

/** Whether the event most likely names one booking not stored yet (and needs no chunks). */
function startsBooking(incoming: IncomingWebhook, bookings: number): boolean {
  const { parsed, body } = incoming;
  return parsed.recognised && NEW_BOOKING_TRIGGERS.has(parsed.event.trigger) && bookings === 1 &&
    body.byteLength <= INLINE_BODY_LIMIT;
}

const absent = (key: Deno.KvKey): Deno.KvEntryMaybe<unknown> => ({
  key,
  value: null,
  versionstamp: null,
});

function addEventCounters(
  op: Deno.AtomicOperation,
  trigger: string | undefined,
  recognised: boolean,
  received: Date,
): void {
  adjustCounter(op, ["counter", "events", "all"], 1);
  adjustCounter(op, ["counter", "events", "trigger", trigger ?? "(none)"], 1);
  adjustCounter(op, ["counter", "events", "day", received.toISOString().slice(0, 10)], 1);
  if (!recognised) adjustCounter(op, ["counter", "events", "unrecognised"], 1);
}

async function countDuplicate(kv: Deno.Kv, id: string): Promise<IngestResult> {
  const op = groupedAtomic(kv);
  adjustCounter(op, ["counter", "events", "duplicate"], 1);
  await op.commit();
  return { id, duplicate: true, deliveryIds: [] };
}
