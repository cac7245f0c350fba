/**
 * Filtered and searched pages of bookings for the dashboard. One index drives each page (the
 * most selective the query allows); other conditions are checked on the records read. A page
 * reads at most `SCAN_LIMIT` index entries, so its cost never depends on how many bookings are
 * stored: a rare match far down the list costs a few "continue" pages, not a full scan.
 * @module
 */
import type { BookingRecord, BookingStatus } from "./booking_projection.ts";
import { bookingWords, eventTypeOf, searchPrefix, searchWords } from "./booking_indexes.ts";
import { bookingKey } from "./bookings.ts";
import { type DeliveryRecord, type DeliveryStatus, listBookingDeliveries } from "./deliveries.ts";

export interface BookingQuery {
  status?: BookingStatus;
  eventType?: string;
  /** Start time at or after this ISO instant. */
  from?: string;
  /** Start time before this ISO instant. */
  to?: string;
  /** Words that must each begin a word of the title or an attendee's name or email. */
  q?: string;
  /** Only bookings with an email that failed, bounced, was dropped or is dead. */
  deliveryProblem?: boolean;
}

export interface BookingWithDeliveries {
  booking: BookingRecord;
  deliveries: DeliveryRecord[];
}

export interface BookingSearchPage {
  items: BookingWithDeliveries[];
  /** Resumes after the last entry read; absent when the index is exhausted. */
  cursor?: string;
  /** The page stopped at the scan limit before it was full: more may match further on. */
  partial: boolean;
}

export const PROBLEM_STATUSES: readonly DeliveryStatus[] = ["failed", "dead", "bounced", "dropped"];
const SCAN_LIMIT = 400;
const BATCH = 10;

/** One entry of the driving index: the booking it names and the cursor just after it. */
interface IndexHit {
  uid: string;
  after: string;
}

type Source = { name: string; hits: (cursor?: string) => AsyncGenerator<IndexHit> };

async function* listHits(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  cursor: string | undefined,
): AsyncGenerator<IndexHit> {
  const iter = kv.list(selector, { reverse: true, cursor, batchSize: 100 });
  for await (const entry of iter) {
    yield { uid: entry.key[entry.key.length - 1] as string, after: iter.cursor };
  }
}

/** Problem deliveries of every problem status, newest first, merged by their sortable ids. */
async function* problemHits(kv: Deno.Kv, before?: string): AsyncGenerator<IndexHit> {
  const lists = PROBLEM_STATUSES.map((status) => {
    const prefix = ["delivery_by_status", status];
    const selector = before ? { prefix, end: [...prefix, before] } : { prefix };
    return kv.list(selector, { reverse: true, batchSize: 50 })[Symbol.asyncIterator]();
  });
  const idOf = (head: IteratorResult<Deno.KvEntry<unknown>>) =>
    head.done ? "" : String(head.value.key[2]);
  const heads = await Promise.all(lists.map((list) => list.next()));
  while (true) {
    let best = -1;
    heads.forEach((head, i) => {
      if (!head.done && (best === -1 || idOf(head) > idOf(heads[best]))) best = i;
    });
    if (best === -1) return;
    const id = idOf(heads[best]);
    const delivery = await kv.get<DeliveryRecord>(["delivery", id]);
    if (delivery.value) yield { uid: delivery.value.bookingUid, after: id };
    heads[best] = await lists[best].next();
  }
}

/** The index that drives a query: the most selective one it names. */
function chooseSource(kv: Deno.Kv, query: BookingQuery): Source {
  // The longest query word has the most specific indexed prefix; the rest is filtered.
  const words = searchWords(query.q ?? "").sort((a, b) => b.length - a.length);
  const token = words.length > 0 ? searchPrefix(words[0]) : undefined;
  if (token) {
    const prefix = ["booking_token", token];
    return { name: "q", hits: (c) => listHits(kv, { prefix }, c) };
  }
  if (query.deliveryProblem) return { name: "problem", hits: (c) => problemHits(kv, c) };
  if (query.status) {
    const prefix = ["booking_by_status", query.status];
    return { name: "status", hits: (c) => listHits(kv, { prefix }, c) };
  }
  if (query.eventType) {
    const prefix = ["booking_by_type", query.eventType];
    return { name: "type", hits: (c) => listHits(kv, { prefix }, c) };
  }
  if (query.from || query.to) {
    const selector = {
      start: ["booking_by_start", query.from ?? ""],
      end: ["booking_by_start", query.to ?? "\uffff"],
    };
    return { name: "start", hits: (c) => listHits(kv, selector, c) };
  }
  return { name: "recent", hits: (c) => listHits(kv, { prefix: ["booking_recent"] }, c) };
}

function matches(query: BookingQuery, item: BookingWithDeliveries): boolean {
  const { booking, deliveries } = item;
  const start = booking.facts?.startTime;
  if (query.status && booking.status !== query.status) return false;
  if (query.eventType && eventTypeOf(booking) !== query.eventType) return false;
  if (query.from && !(start && start >= query.from)) return false;
  if (query.to && !(start && start < query.to)) return false;
  if (query.deliveryProblem && !deliveries.some((d) => PROBLEM_STATUSES.includes(d.status))) {
    return false;
  }
  const wanted = searchWords(query.q ?? "");
  if (wanted.length > 0) {
    const words = bookingWords(booking);
    return wanted.every((w) => words.some((word) => word.startsWith(w)));
  }
  return true;
}

/** Reads the bookings (and their emails) named by a batch of hits. */
async function readBatch(kv: Deno.Kv, hits: IndexHit[]): Promise<(BookingWithDeliveries | null)[]> {
  const entries = await kv.getMany<BookingRecord[]>(hits.map((h) => bookingKey(h.uid)));
  return await Promise.all(entries.map(async (entry) => {
    if (!entry.value) return null;
    return { booking: entry.value, deliveries: await listBookingDeliveries(kv, entry.value.uid) };
  }));
}

function decodeCursor(cursor: string | undefined, source: string): string | undefined {
  if (!cursor) return undefined;
  const at = cursor.indexOf(".");
  // A cursor from another filter would point into the wrong index: start from the top.
  return at > 0 && cursor.slice(0, at) === source ? cursor.slice(at + 1) : undefined;
}

/**
 * A page of bookings matching `query`, newest first (start time order for a date range).
 *
 * @example
 * const page = await searchBookings(kv, { status: "cancelled", q: "smith" }, { limit: 25 });
 */
export async function searchBookings(
  kv: Deno.Kv,
  query: BookingQuery,
  options: { limit?: number; cursor?: string } = {},
): Promise<BookingSearchPage> {
  const limit = options.limit ?? 25;
  const source = chooseSource(kv, query);
  const hits = source.hits(decodeCursor(options.cursor, source.name));
  const items: BookingWithDeliveries[] = [];
  const seen = new Set<string>();
  let scanned = 0;
  let last: string | undefined;
  let exhausted = false;
  while (items.length < limit && scanned < SCAN_LIMIT && !exhausted) {
    const batch: IndexHit[] = [];
    while (batch.length < Math.min(BATCH, limit - items.length)) {
      const next = await hits.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      batch.push(next.value);
    }
    scanned += batch.length;
    const read = await readBatch(kv, batch);
    read.forEach((item, i) => {
      last = batch[i].after;
      if (item && !seen.has(item.booking.uid) && matches(query, item)) {
        seen.add(item.booking.uid);
        items.push(item);
      }
    });
  }
  await hits.return(undefined);
  const more = !exhausted && last !== undefined;
  return {
    items,
    cursor: more ? `${source.name}.${last}` : undefined,
    partial: more && items.length < limit,
  };
}
