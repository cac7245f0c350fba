/**
 * Secondary indexes of bookings, for the dashboard's filters and search. Part of the bookings
 * module: written only by `addBookingMutations`, inside the one ingest commit, and kept in step
 * with every change of status, event type, start time or searchable text. Owns
 * `["booking_by_status", status, firstEventId, uid]`,
 * `["booking_by_type", eventType, firstEventId, uid]`, `["booking_by_start", startTime, uid]`,
 * `["booking_token", prefix, firstEventId, uid]` (prefix: a word's first 2 or 4 characters) and
 * `["counter", "booking_types", eventType]`.
 * @module
 */
import type { BookingRecord } from "./booking_projection.ts";
import { adjustCounter } from "./counters.ts";

/**
 * Each searchable word is indexed under its first 2 and its first 4 characters (one key each),
 * not under every prefix: a query word is looked up by the longest of these it covers and the
 * records read are filtered for the whole query (booking_search.ts). Two keys per word instead
 * of up to eleven keeps the ingest commit small (each key costs ~40 µs of commit time);
 * 4 characters already narrow a name or title word to a short list.
 */
export const INDEXED_PREFIX_LENGTHS = [2, 4] as const;
/** Bounds the index writes of one booking (a seat booking may list many attendees). */
const MAX_PREFIXES = 40;
const SEARCHED_ATTENDEES = 5;
/** Keeps every index key far below KV's 2 KiB key limit. */
const MAX_TYPE_LENGTH = 200;

/** Lower case, accents removed, split into letters and digits. */
export function searchWords(text: string): string[] {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
    .split(/[^\p{L}\p{N}]+/u).filter((word) => word.length > 0);
}

/** The words a booking can be found by: title, attendee names and email addresses. */
export function bookingWords(booking: BookingRecord): string[] {
  const facts = booking.facts;
  if (!facts) return [];
  const people = facts.attendees.slice(0, SEARCHED_ATTENDEES);
  const text = [facts.title, ...people.map((p) => `${p.name} ${p.email}`)].join(" ");
  return [...new Set(searchWords(text))];
}

/** The indexed prefix a search word is looked up by, if it is long enough for one. */
export function searchPrefix(word: string): string | undefined {
  const length = INDEXED_PREFIX_LENGTHS.findLast((n) => word.length >= n);
  return length === undefined ? undefined : word.slice(0, length);
}

/** The indexed prefixes of the booking's words, bounded. */
function bookingPrefixes(booking: BookingRecord): string[] {
  const prefixes = new Set<string>();
  for (const word of bookingWords(booking)) {
    for (const length of INDEXED_PREFIX_LENGTHS) {
      if (word.length < length) break;
      if (prefixes.size >= MAX_PREFIXES) return [...prefixes];
      prefixes.add(word.slice(0, length));
    }
  }
  return [...prefixes];
}

/** The event type as indexed (and as the filter names it). */
export function eventTypeOf(booking: BookingRecord): string | undefined {
  const type = booking.facts?.eventType?.trim().slice(0, MAX_TYPE_LENGTH);
  return type ? type : undefined;
}

/** All index keys of one version of a booking. */
export function bookingIndexKeys(booking: BookingRecord): Deno.KvKey[] {
  const { firstEventId: first, uid } = booking;
  const keys: Deno.KvKey[] = [["booking_by_status", booking.status, first, uid]];
  const type = eventTypeOf(booking);
  if (type) keys.push(["booking_by_type", type, first, uid]);
  if (booking.facts?.startTime) keys.push(["booking_by_start", booking.facts.startTime, uid]);
  for (const prefix of bookingPrefixes(booking)) keys.push(["booking_token", prefix, first, uid]);
  return keys;
}

const keyText = (key: Deno.KvKey) => JSON.stringify(key);

/**
 * Adds the index changes between two versions of a booking to an atomic operation: keys the
 * new version no longer has are deleted, new ones set, and the event-type counters moved.
 */
export function addBookingIndexMutations(
  op: Deno.AtomicOperation,
  previous: BookingRecord | null,
  next: BookingRecord,
): void {
  const before = new Map((previous ? bookingIndexKeys(previous) : []).map((k) => [keyText(k), k]));
  const after = new Map(bookingIndexKeys(next).map((k) => [keyText(k), k]));
  for (const [text, key] of before) if (!after.has(text)) op.delete(key);
  for (const [text, key] of after) if (!before.has(text)) op.set(key, null);
  const oldType = previous ? eventTypeOf(previous) : undefined;
  const newType = eventTypeOf(next);
  if (oldType !== newType) {
    if (oldType) adjustCounter(op, ["counter", "booking_types", oldType], -1);
    if (newType) adjustCounter(op, ["counter", "booking_types", newType], 1);
  }
}
