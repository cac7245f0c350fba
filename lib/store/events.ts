/**
 * Stored webhook events: the raw body exactly as received (inline, or in chunks keyed by its
 * digest when larger than one KV value), what we parsed from it, and the indexes that find it.
 * Owns `["event", id]`, `["event_body", digest, n]`, `["event_by_digest", digest]`,
 * `["event_by_booking", uid, id]` and `["event_unrecognised", id]`.
 * @module
 */
import type { CalcomEvent } from "../calcom/event.ts";
import { listNewestFirst, readValues } from "./read_values.ts";

/** Bodies up to this size live inside the event record (KV values max out at 64 KiB). */
export const INLINE_BODY_LIMIT = 60_000;
/** Chunk size for larger bodies; ten chunks per commit stay well under the 800 KiB atomic cap. */
const CHUNK_SIZE = 60_000;
const CHUNKS_PER_COMMIT = 10;

export interface EventRecord {
  id: string;
  receivedAt: string;
  /** Hex SHA-256 of the raw body: the exact-duplicate key and the chunks' key. */
  digest: string;
  size: number;
  contentType?: string;
  webhookVersion?: string;
  requestId?: string;
  /** `triggerEvent` as sent, also for unknown triggers. */
  trigger?: string;
  recognised: boolean;
  /** Why an unrecognised event could not be parsed. */
  reason?: string;
  /** The envelope's createdAt (Cal.com's send time), normalised. */
  createdAt?: string;
  /** Bookings this event is about (for a reschedule: the new uid, then the old one). */
  bookingUids: string[];
  /** Inline body, or the number of chunks under `["event_body", digest]`. */
  body: { inline: Uint8Array } | { chunks: number };
}

export interface NewEvent {
  id: string;
  receivedAt: string;
  digest: string;
  body: Uint8Array;
  contentType?: string;
  webhookVersion?: string;
  requestId?: string;
  trigger?: string;
  reason?: string;
  event?: CalcomEvent;
  bookingUids: string[];
}

export const eventKey = (id: string) => ["event", id] as const;
export const digestKey = (digest: string) => ["event_by_digest", digest] as const;

/** Hex SHA-256 of a body. */
export async function bodyDigest(body: Uint8Array<ArrayBuffer>): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Writes the chunks of a large body before the commit that makes its event visible. Chunks are
 * keyed by digest, so writing them twice (a retry, a duplicate) is harmless, and chunks without
 * an event are invisible.
 */
export async function storeBodyChunks(
  kv: Deno.Kv,
  digest: string,
  body: Uint8Array,
): Promise<void> {
  if (body.byteLength <= INLINE_BODY_LIMIT) return;
  const count = Math.ceil(body.byteLength / CHUNK_SIZE);
  for (let first = 0; first < count; first += CHUNKS_PER_COMMIT) {
    const op = kv.atomic();
    for (let n = first; n < Math.min(count, first + CHUNKS_PER_COMMIT); n++) {
      op.set(["event_body", digest, n], body.subarray(n * CHUNK_SIZE, (n + 1) * CHUNK_SIZE));
    }
    const result = await op.commit();
    if (!result.ok) throw new Error("storing body chunks failed");
  }
}

/** Adds the event record and its indexes to the ingest commit. */
export function addEventMutations(op: Deno.AtomicOperation, e: NewEvent): EventRecord {
  const record: EventRecord = {
    id: e.id,
    receivedAt: e.receivedAt,
    digest: e.digest,
    size: e.body.byteLength,
    // Header values are the sender's: bounded so the record always fits its 64 KiB value.
    contentType: e.contentType?.slice(0, 200),
    webhookVersion: e.webhookVersion?.slice(0, 100),
    requestId: e.requestId,
    trigger: e.trigger,
    recognised: e.event !== undefined,
    reason: e.reason,
    createdAt: e.event?.createdAt,
    bookingUids: e.bookingUids,
    body: e.body.byteLength <= INLINE_BODY_LIMIT
      ? { inline: e.body }
      : { chunks: Math.ceil(e.body.byteLength / CHUNK_SIZE) },
  };
  op.check({ key: digestKey(e.digest), versionstamp: null })
    .set(eventKey(e.id), record)
    .set(digestKey(e.digest), e.id);
  for (const uid of e.bookingUids) op.set(["event_by_booking", uid, e.id], e.trigger ?? "");
  if (!record.recognised) op.set(["event_unrecognised", e.id], e.trigger ?? "");
  return record;
}

export async function getEvent(kv: Deno.Kv, id: string): Promise<EventRecord | null> {
  return (await kv.get<EventRecord>(eventKey(id))).value;
}

/** The exact bytes Cal.com sent, reassembled from chunks when needed. */
export async function readEventBody(kv: Deno.Kv, record: EventRecord): Promise<Uint8Array> {
  if ("inline" in record.body) return record.body.inline;
  const body = new Uint8Array(record.size);
  let offset = 0;
  for await (const chunk of kv.list<Uint8Array>({ prefix: ["event_body", record.digest] })) {
    body.set(chunk.value, offset);
    offset += chunk.value.byteLength;
  }
  return body;
}

/** Events about one booking, oldest first (ids are time-ordered). */
export async function listBookingEvents(
  kv: Deno.Kv,
  uid: string,
  limit = 200,
): Promise<EventRecord[]> {
  const ids: string[] = [];
  for await (const e of kv.list({ prefix: ["event_by_booking", uid] }, { limit })) {
    ids.push(e.key[2] as string);
  }
  return await getEvents(kv, ids);
}

/** A page of events, newest first, resuming from `cursor`. */
export async function listRecentEvents(
  kv: Deno.Kv,
  options: { limit?: number; cursor?: string; unrecognisedOnly?: boolean } = {},
): Promise<{ events: EventRecord[]; cursor?: string }> {
  const limit = options.limit ?? 50;
  if (!options.unrecognisedOnly) {
    const page = await listNewestFirst<EventRecord>(kv, ["event"], limit, options.cursor);
    return { events: page.entries.map((e) => e.value), cursor: page.cursor };
  }
  const page = await listNewestFirst(kv, ["event_unrecognised"], limit, options.cursor);
  const ids = page.entries.map((e) => e.key[1] as string);
  return { events: await getEvents(kv, ids), cursor: page.cursor };
}

function getEvents(kv: Deno.Kv, ids: string[]): Promise<EventRecord[]> {
  return readValues<EventRecord>(kv, ids.map(eventKey));
}
