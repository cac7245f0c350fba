/**
 * Every status change of a delivery, each one atomic commit checked against the versionstamp
 * read: the record, `["delivery_by_status", …]`, `["delivery_due", …]`, the message-id index
 * and the `["counter", "deliveries", status]` counters always move together.
 * Part of the deliveries module (deliveries.ts owns the keys).
 * @module
 */
import { adjustCounter } from "./counters.ts";
import {
  DELIVERY_CHANGE_KEY,
  type DeliveryAttempt,
  deliveryKey,
  type DeliveryMessage,
  type DeliveryRecord,
  type DeliveryStatus,
  dueKey,
  messageKey,
  type ProviderEvent,
  statusKey,
} from "./deliveries.ts";

/** A record read together with its versionstamp. */
export interface VersionedDelivery {
  record: DeliveryRecord;
  versionstamp: string;
}

/** Statuses that keep a `["delivery_due", dueAt, id]` entry: a sweep must look at them. */
const TRACKED_DUE: readonly DeliveryStatus[] = ["queued", "sending"];
const isDueTracked = (s: DeliveryStatus) => TRACKED_DUE.includes(s);

/** Adds the mutations that move `current` to `next` (same id) to an atomic operation. */
export function addTransition(
  op: Deno.AtomicOperation,
  current: DeliveryRecord,
  next: DeliveryRecord,
): void {
  const id = current.id;
  if (current.status !== next.status) {
    op.delete(statusKey(current.status, id)).set(statusKey(next.status, id), null);
    op.set(DELIVERY_CHANGE_KEY, { id, status: next.status });
    adjustCounter(op, ["counter", "deliveries", current.status], -1);
    adjustCounter(op, ["counter", "deliveries", next.status], 1);
  }
  const before = isDueTracked(current.status) ? current.dueAt : undefined;
  const after = isDueTracked(next.status) ? next.dueAt : undefined;
  if (before !== after) {
    if (before !== undefined) op.delete(dueKey(before, id));
    if (after !== undefined) op.set(dueKey(after, id), null);
  }
  if (next.messageId && next.messageId !== current.messageId) {
    op.set(messageKey(next.messageId), id);
  }
  op.set(deliveryKey(id), next);
}

/** More writes that must land with a transition, or not at all (they share its commit). */
export type AlsoWrite = (op: Deno.AtomicOperation) => void;

/** Commits `current → next` if nobody changed the record since it was read. */
export async function commitTransition(
  kv: Deno.Kv,
  current: VersionedDelivery,
  next: DeliveryRecord,
  options: { enqueueDelayMs?: number; also?: AlsoWrite } = {},
): Promise<VersionedDelivery | null> {
  const op = kv.atomic().check({ key: deliveryKey(next.id), versionstamp: current.versionstamp });
  addTransition(op, current.record, next);
  options.also?.(op);
  if (options.enqueueDelayMs !== undefined) {
    const message: DeliveryMessage = { deliveryId: next.id };
    op.enqueue(message, { delay: Math.max(0, Math.round(options.enqueueDelayMs)) });
  }
  const result = await op.commit();
  return result.ok ? { record: next, versionstamp: result.versionstamp } : null;
}

export async function readDelivery(kv: Deno.Kv, id: string): Promise<VersionedDelivery | null> {
  const entry = await kv.get<DeliveryRecord>(deliveryKey(id));
  return entry.value && entry.versionstamp
    ? { record: entry.value, versionstamp: entry.versionstamp }
    : null;
}

/** The attempt a worker that held an expired lease never finished recording. */
function lostAttempt(record: DeliveryRecord, now: number): DeliveryAttempt {
  const startedAt = record.leaseStartedAt ?? record.updatedAt;
  return {
    at: startedAt,
    durationMs: Math.max(0, now - Date.parse(startedAt)),
    error: "lease expired: the worker stopped before recording a result",
  };
}

/**
 * Work between reading a claimable record and committing its claim (the dispatcher renders the
 * email here); the writes it returns join the claim commit, so only the winner's land.
 */
export type ClaimPreparation = (record: DeliveryRecord) => Promise<AlsoWrite | undefined>;

/**
 * Claims a delivery for one send: it must be `queued` and due, or `sending` with an expired
 * lease. The commit checks the versionstamp read, so of two workers (a queue message and a
 * sweep, two instances) exactly one wins. Returns the claimed record, or null.
 *
 * @example
 * const claim = await claimDelivery(kv, id, Date.now(), 120_000);
 */
export async function claimDelivery(
  kv: Deno.Kv,
  id: string,
  now: number,
  leaseMs: number,
  prepare?: ClaimPreparation,
): Promise<VersionedDelivery | null> {
  const current = await readDelivery(kv, id);
  if (!current) return null;
  const r = current.record;
  if (!isDueTracked(r.status) || r.dueAt > now) return null;
  const also = await prepare?.(r);
  const attempts = r.status === "sending" ? [...r.attempts, lostAttempt(r, now)] : r.attempts;
  const at = new Date(now).toISOString();
  const next: DeliveryRecord = {
    ...r,
    status: "sending",
    dueAt: now + leaseMs,
    leaseStartedAt: at,
    updatedAt: at,
    attempts,
  };
  return await commitTransition(kv, current, next, { also });
}

/** Attempts in the current series (since creation or the last resend). */
export function attemptsInSeries(record: DeliveryRecord): number {
  return record.attempts.length - (record.seriesStart ?? 0);
}

/** Outcome of one send attempt, as decided by the dispatcher's schedule. */
export type AttemptOutcome =
  | { status: "accepted" | "delivered"; messageId?: string; transport: string }
  | { status: "queued"; dueAt: number; error: string }
  | { status: "failed" | "dead"; error: string };

/**
 * Records a finished attempt on the claimed record. Fails (null) when the lease was lost to
 * another worker meanwhile: that worker's result wins. A change that leaves the lease alone (a
 * SendGrid event recorded on the record while the send was in flight) is merged, not taken for
 * a lost lease: dropping the result there would leave `sending` and send the email again.
 */
export async function finishAttempt(
  kv: Deno.Kv,
  claimed: VersionedDelivery,
  attempt: DeliveryAttempt,
  outcome: AttemptOutcome,
  options: { now: number; enqueueDelayMs?: number; also?: AlsoWrite },
): Promise<VersionedDelivery | null> {
  const delay = outcome.status === "queued" ? options.enqueueDelayMs : undefined;
  let current: VersionedDelivery | null = claimed;
  for (let tries = 0; current && tries < 10; tries++) {
    const next = withResult(current.record, attempt, outcome, options.now);
    const done = await commitTransition(kv, current, next, {
      enqueueDelayMs: delay,
      also: options.also,
    });
    if (done) return done;
    current = await readDelivery(kv, claimed.record.id);
    if (current && !holdsSameLease(current.record, claimed.record)) return null;
  }
  return null;
}

/** Still the claim this worker made: no re-claim (it adds an attempt), no resend, no result. */
const holdsSameLease = (r: DeliveryRecord, claimed: DeliveryRecord) =>
  r.status === "sending" && r.leaseStartedAt === claimed.leaseStartedAt &&
  r.attempts.length === claimed.attempts.length;

function withResult(
  r: DeliveryRecord,
  attempt: DeliveryAttempt,
  outcome: AttemptOutcome,
  now: number,
): DeliveryRecord {
  const at = new Date(now).toISOString();
  const next: DeliveryRecord = {
    ...r,
    status: outcome.status,
    attempts: [...r.attempts, { ...attempt, ...(r.manualPending ? { manual: true } : {}) }],
    updatedAt: at,
    leaseStartedAt: undefined,
    manualPending: undefined,
    dueAt: outcome.status === "queued" ? outcome.dueAt : r.dueAt,
  };
  if ("error" in outcome) {
    next.lastError = outcome.error;
  } else {
    next.messageId = outcome.messageId;
    next.transport = outcome.transport;
    next.lastError = undefined;
  }
  return next;
}

/**
 * Queues a new attempt on the same record (staff resend), whatever its status except an
 * attempt in flight. Starts a new retry series. Returns the updated record, or why not.
 */
export async function requeueDelivery(
  kv: Deno.Kv,
  id: string,
  options: { now: number; enqueue: boolean },
): Promise<
  { ok: true; record: DeliveryRecord } | { ok: false; reason: "not_found" | "in_flight" }
> {
  for (let tries = 0; tries < 10; tries++) {
    const current = await readDelivery(kv, id);
    if (!current) return { ok: false, reason: "not_found" };
    const r = current.record;
    if (r.status === "sending" && r.dueAt > options.now) return { ok: false, reason: "in_flight" };
    const next: DeliveryRecord = {
      ...r,
      status: "queued",
      dueAt: options.now,
      seriesStart: r.attempts.length,
      manualPending: true,
      updatedAt: new Date(options.now).toISOString(),
    };
    const done = await commitTransition(kv, current, next, {
      enqueueDelayMs: options.enqueue ? 0 : undefined,
    });
    if (done) return { ok: true, record: done.record };
  }
  throw new Error("resend kept conflicting");
}

/** How far along the provider's view is; events never move a delivery backwards. */
const PROVIDER_RANK: Partial<Record<DeliveryStatus, number>> = {
  accepted: 0,
  deferred: 1,
  delivered: 2,
  opened: 3,
  bounced: 4,
  dropped: 4,
};

/**
 * Applies one SendGrid event: dedupes on `sg_event_id` (kept `dedupeMs`), records it on the
 * delivery and moves the status forward when the event is about the current message.
 * Returns false for a duplicate or an unknown delivery.
 */
export async function applyProviderEvent(
  kv: Deno.Kv,
  id: string,
  event: ProviderEvent & { status?: DeliveryStatus; messageId?: string },
  options: { dedupeMs: number; maxEvents?: number },
): Promise<boolean> {
  const seenKey = ["sendgrid_event", event.sgEventId];
  for (let tries = 0; tries < 10; tries++) {
    const [seen, entry] = await kv.getMany<[string, DeliveryRecord]>([seenKey, deliveryKey(id)]);
    if (seen.versionstamp !== null || !entry.value || !entry.versionstamp) return false;
    const r = entry.value;
    const { status, messageId, ...recorded } = event;
    const next: DeliveryRecord = {
      ...r,
      providerEvents: [...r.providerEvents, recorded].slice(-(options.maxEvents ?? 50)),
      updatedAt: new Date().toISOString(),
    };
    const current = PROVIDER_RANK[r.status];
    const sameMessage = !messageId || !r.messageId || messageId === r.messageId;
    if (status && sameMessage && current !== undefined && (PROVIDER_RANK[status] ?? -1) > current) {
      next.status = status;
      if (event.reason && (status === "bounced" || status === "dropped")) {
        next.lastError = event.reason;
      }
    }
    const op = kv.atomic()
      .check({ key: seenKey, versionstamp: null })
      .check({ key: entry.key, versionstamp: entry.versionstamp })
      .set(seenKey, id, { expireIn: options.dedupeMs });
    addTransition(op, r, next);
    if ((await op.commit()).ok) return true;
  }
  throw new Error("provider event kept conflicting");
}
