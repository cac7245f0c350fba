/**
 * Deliveries: one record per staff notification email, which is also the outbox entry that the
 * dispatchers drain. Owns `["delivery", id]`, `["delivery_for", bookingUid, trigger]` (one email
 * per booking per trigger), `["delivery_due", dueAt, id]` (what a sweep must look at),
 * `["delivery_by_booking", uid, id]`, `["delivery_by_status", status, id]` and the
 * `["counter", "deliveries", status]` counters.
 * @module
 */
import { adjustCounter } from "./counters.ts";

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
}

/** The message put on the KV queue where queues exist; the record stays the source of truth. */
export interface DeliveryMessage {
  deliveryId: string;
}

export const deliveryKey = (id: string) => ["delivery", id] as const;
export const notificationKey = (uid: string, trigger: string) =>
  ["delivery_for", uid, trigger] as const;
export const dueKey = (dueAt: number, id: string) => ["delivery_due", dueAt, id] as const;

/** Whether this booking already has its email for this trigger. */
export async function hasNotification(kv: Deno.Kv, uid: string, trigger: string): Promise<boolean> {
  return (await kv.get(notificationKey(uid, trigger))).versionstamp !== null;
}

export interface NewDelivery {
  id: string;
  bookingUid: string;
  trigger: string;
  eventId: string;
  now: Date;
  requestId?: string;
  /** Also put a message on the KV queue (QUEUE_MODE=kv). */
  enqueue: boolean;
}

/** Adds a new queued delivery to the ingest commit (the outbox write). */
export function addDeliveryMutations(op: Deno.AtomicOperation, d: NewDelivery): DeliveryRecord {
  const at = d.now.toISOString();
  const record: DeliveryRecord = {
    id: d.id,
    bookingUid: d.bookingUid,
    trigger: d.trigger,
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
  op.check({ key: notificationKey(d.bookingUid, d.trigger), versionstamp: null })
    .set(notificationKey(d.bookingUid, d.trigger), d.id)
    .set(deliveryKey(d.id), record)
    .set(dueKey(record.dueAt, d.id), null)
    .set(["delivery_by_booking", d.bookingUid, d.id], null)
    .set(["delivery_by_status", "queued", d.id], null);
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
  const out: DeliveryRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const batch = await kv.getMany<DeliveryRecord[]>(ids.slice(i, i + 10).map(deliveryKey));
    for (const e of batch) if (e.value) out.push(e.value);
  }
  return out;
}
