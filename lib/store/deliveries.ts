/**
 * Deliveries: one record per staff notification email, which is also the outbox entry that the
 * dispatchers drain. Owns `["delivery", id]`, `["delivery_for", bookingUid, slot]` (one email
 * per booking per trigger), `["delivery_due", dueAt, id]` (what a sweep must look at),
 * `["delivery_by_booking", uid, id]`, `["delivery_by_status", status, id]` and the
 * `["counter", "deliveries", status]` counters; status changes live in delivery_transitions.ts,
 * the rendered email in delivery_emails.ts.
 * @module
 */
import { type BookingFacts, seatLeaver } from "../calcom/event.ts";
import { adjustCounter } from "./counters.ts";
import { listNewestFirst, readValues } from "./read_values.ts";

/** DESIGN.md § Delivery status machine. */
export type DeliveryStatus =
  | "queued"
  | "sending"
  | "accepted"
  | "delivered"
  | "bounced"
  | "dropped"
  | "deferred"
  | "opened"
  | "failed"
  | "dead";

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  "queued",
  "sending",
  "accepted",
  "delivered",
  "bounced",
  "dropped",
  "deferred",
  "opened",
  "failed",
  "dead",
];

export interface DeliveryAttempt {
  at: string;
  durationMs: number;
  httpStatus?: number;
  error?: string;
  messageId?: string;
  /** Whether this attempt was started by staff (resend) rather than the schedule. */
  manual?: boolean;
}

export interface ProviderEvent {
  event: string;
  at: string;
  sgEventId: string;
  reason?: string;
}

export interface DeliveryRecord {
  id: string;
  bookingUid: string;
  trigger: string;
  /** The once-only notification this email is, when not just its trigger (see notificationSlot). */
  slot?: string;
  /** The event that asked for this email; the email is rendered from its stored body. */
  eventId: string;
  status: DeliveryStatus;
  createdAt: string;
  updatedAt: string;
  /** Epoch ms when the next attempt is due (queued) or the lease ends (sending). */
  dueAt: number;
  attempts: DeliveryAttempt[];
  recipients: string[];
  subject?: string;
  messageId?: string;
  lastError?: string;
  providerEvents: ProviderEvent[];
  requestId?: string;
  /** When the current `sending` lease began (the attempt's start). */
  leaseStartedAt?: string;
  /** Index into `attempts` where the current series began (a resend starts a new one). */
  seriesStart?: number;
  /** The next attempt was asked for by staff. */
  manualPending?: boolean;
  /** Transport that accepted the email ("sendgrid" or "dev-outbox"). */
  transport?: string;
}

/** The message put on the KV queue where queues exist; the record stays the source of truth. */
export interface DeliveryMessage {
  deliveryId: string;
}

/** Set by every status change: the dashboard watches it to show email status live. */
export const DELIVERY_CHANGE_KEY = ["meta", "last_delivery_change"] as const;

export const deliveryKey = (id: string) => ["delivery", id] as const;
/** Guards "one email per booking uid per notification slot" (the slot is usually the trigger). */
export const notificationKey = (uid: string, slot: string) => ["delivery_for", uid, slot] as const;
export const dueKey = (dueAt: number, id: string) => ["delivery_due", dueAt, id] as const;
export const statusKey = (status: DeliveryStatus, id: string) =>
  ["delivery_by_status", status, id] as const;
export const messageKey = (messageId: string) => ["delivery_by_message", messageId] as const;

export interface NewDelivery {
  id: string;
  bookingUid: string;
  trigger: string;
  /** See notificationSlot; kept on the record only when it is not the trigger. */
  slot: string;
  eventId: string;
  now: Date;
  requestId?: string;
  /** Also put a message on the KV queue (QUEUE_MODE=kv). */
  enqueue: boolean;
}

/**
 * Which once-only notification an event is: its trigger, except that one seat's cancellation is
 * its own notification (per attendee who left), so staff still hear of the next seat leaving and
 * of the whole booking being cancelled later.
 */
export function notificationSlot(trigger: string, booking: BookingFacts): string {
  const leaver = seatLeaver(booking);
  return leaver ? `${trigger}:seat:${leaver.toLowerCase()}` : trigger;
}

/** Adds a new queued delivery to the ingest commit (the outbox write). */
export function addDeliveryMutations(op: Deno.AtomicOperation, d: NewDelivery): DeliveryRecord {
  const at = d.now.toISOString();
  const record: DeliveryRecord = {
    id: d.id,
    bookingUid: d.bookingUid,
    trigger: d.trigger,
    ...(d.slot !== d.trigger ? { slot: d.slot } : {}),
    eventId: d.eventId,
    status: "queued",
    createdAt: at,
    updatedAt: at,
    dueAt: d.now.getTime(),
    attempts: [],
    recipients: [],
    providerEvents: [],
    requestId: d.requestId,
  };
  const guard = notificationKey(d.bookingUid, d.slot);
  op.check({ key: guard, versionstamp: null })
    .set(guard, d.id)
    .set(deliveryKey(d.id), record)
    .set(dueKey(record.dueAt, d.id), null)
    .set(["delivery_by_booking", d.bookingUid, d.id], null)
    .set(statusKey("queued", d.id), null);
  adjustCounter(op, ["counter", "deliveries", "queued"], 1);
  if (d.enqueue) op.enqueue({ deliveryId: d.id } satisfies DeliveryMessage);
  return record;
}

export async function getDelivery(kv: Deno.Kv, id: string): Promise<DeliveryRecord | null> {
  return (await kv.get<DeliveryRecord>(deliveryKey(id))).value;
}

/** Every email about one booking, oldest first. */
export async function listBookingDeliveries(kv: Deno.Kv, uid: string): Promise<DeliveryRecord[]> {
  const ids: string[] = [];
  for await (const e of kv.list({ prefix: ["delivery_by_booking", uid] })) {
    ids.push(e.key[2] as string);
  }
  return await getDeliveries(kv, ids);
}

export interface DeliveryPage {
  deliveries: DeliveryRecord[];
  /** Pass back to get the next page; absent on the last page. */
  cursor?: string;
}

/**
 * A page of deliveries in one status, newest first (ids are time-ordered).
 *
 * @example
 * const { deliveries, cursor } = await listDeliveriesByStatus(kv, "dead", { limit: 20 });
 */
export async function listDeliveriesByStatus(
  kv: Deno.Kv,
  status: DeliveryStatus,
  options: { limit?: number; cursor?: string } = {},
): Promise<DeliveryPage> {
  const page = await listNewestFirst(
    kv,
    ["delivery_by_status", status],
    options.limit ?? 50,
    options.cursor,
  );
  const ids = page.entries.map((e) => e.key[2] as string);
  return { deliveries: await getDeliveries(kv, ids), cursor: page.cursor };
}

/** Ids of deliveries whose next attempt or lease end is at or before `now`, oldest due first. */
export async function listDueDeliveryIds(
  kv: Deno.Kv,
  now: number,
  limit = 500,
): Promise<string[]> {
  const ids: string[] = [];
  const iter = kv.list({ start: ["delivery_due"], end: ["delivery_due", now + 1] }, { limit });
  for await (const e of iter) ids.push(e.key[2] as string);
  return ids;
}

/** The delivery SendGrid accepted with the first of these `X-Message-Id`s found, if any. */
export async function findDeliveryByMessageId(
  kv: Deno.Kv,
  candidates: readonly string[],
): Promise<{ messageId: string; deliveryId: string } | null> {
  // One read for all candidates (getMany takes up to 10 keys); the first found wins.
  const entries = await kv.getMany<string[]>(candidates.slice(0, 10).map(messageKey));
  const i = entries.findIndex((e) => e.value !== null);
  return i === -1 ? null : { messageId: candidates[i], deliveryId: entries[i].value! };
}

function getDeliveries(kv: Deno.Kv, ids: string[]): Promise<DeliveryRecord[]> {
  return readValues<DeliveryRecord>(kv, ids.map(deliveryKey));
}

/**
 * A page of all deliveries, newest first (ids are time-ordered), for the admin's emails page.
 *
 * @example
 * const { deliveries, cursor } = await listRecentDeliveries(kv, { limit: 25 });
 */
export async function listRecentDeliveries(
  kv: Deno.Kv,
  options: { limit?: number; cursor?: string } = {},
): Promise<DeliveryPage> {
  const page = await listNewestFirst<DeliveryRecord>(
    kv,
    ["delivery"],
    options.limit ?? 50,
    options.cursor,
  );
  return { deliveries: page.entries.map((e) => e.value), cursor: page.cursor };
}
