/**
 * "Nothing half-written", checked from the outside: walks the stored events, bookings and
 * deliveries and reports every broken link between a record, its indexes and the counters.
 * Used after each fuzz case and after the soak. Reads only public key layouts (lib/store/*).
 * @module
 */
import type { EventRecord } from "@/lib/store/events.ts";
import type { BookingRecord } from "@/lib/store/booking_projection.ts";
import { DELIVERY_STATUSES, type DeliveryRecord } from "@/lib/store/deliveries.ts";

export interface KvCensus {
  events: number;
  bookings: number;
  deliveries: number;
  deliveriesByStatus: Record<string, number>;
}

/** Chunks never change once written: each chunked body is read back once per KV. */
const verifiedChunks = new WeakMap<Deno.Kv, Set<string>>();

async function collect<T>(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvEntry<T>[]> {
  const out: Deno.KvEntry<T>[] = [];
  for await (const e of kv.list<T>({ prefix }, { batchSize: 500 })) out.push(e);
  return out;
}

async function counter(kv: Deno.Kv, key: Deno.KvKey): Promise<number> {
  const entry = await kv.get<Deno.KvU64>(key);
  return entry.value ? Number(BigInt.asIntN(64, entry.value.value)) : 0;
}

/** Every problem found (empty when the store is consistent), plus what was counted. */
export async function kvProblems(kv: Deno.Kv): Promise<{ problems: string[]; census: KvCensus }> {
  const problems: string[] = [];
  const events = await collect<EventRecord>(kv, ["event"]);
  const eventIds = new Set(events.map((e) => e.key[1] as string));
  const digests = new Map(
    (await collect<string>(kv, ["event_by_digest"])).map((e) => [e.key[1] as string, e.value]),
  );
  for (const { value: event } of events) {
    if (digests.get(event.digest) !== event.id) problems.push(`event ${event.id}: no digest index`);
    const verified = verifiedChunks.get(kv) ?? new Set<string>();
    verifiedChunks.set(kv, verified);
    if ("chunks" in event.body && !verified.has(event.digest)) {
      verified.add(event.digest);
      const chunks = await collect<Uint8Array>(kv, ["event_body", event.digest]);
      const size = chunks.reduce((n, c) => n + c.value.byteLength, 0);
      if (size !== event.size) problems.push(`event ${event.id}: chunks hold ${size} bytes`);
    }
  }
  for (const [digest, id] of digests) {
    if (!eventIds.has(id)) problems.push(`digest ${digest.slice(0, 12)}: points to no event`);
  }
  const bookings = await collect<BookingRecord>(kv, ["booking"]);
  const bookingUids = new Set(bookings.map((b) => b.key[1] as string));
  const recent = await collect<null>(kv, ["booking_recent"]);
  for (const r of recent) {
    if (!bookingUids.has(r.key[2] as string)) problems.push(`booking_recent: dangling`);
  }
  if (recent.length !== bookings.length) {
    problems.push(`booking_recent has ${recent.length} entries for ${bookings.length} bookings`);
  }
  for (const e of await collect<string>(kv, ["event_by_booking"])) {
    if (!bookingUids.has(e.key[1] as string)) problems.push(`event_by_booking: no booking`);
    if (!eventIds.has(e.key[2] as string)) problems.push(`event_by_booking: no event`);
  }
  const deliveries = await collect<DeliveryRecord>(kv, ["delivery"]);
  const byStatus: Record<string, number> = {};
  for (const { value: d } of deliveries) {
    byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
    const owner = await kv.get<string>(["delivery_for", d.bookingUid, d.slot ?? d.trigger]);
    if (owner.value !== d.id) problems.push(`delivery ${d.id}: not the booking's notification`);
    if (!eventIds.has(d.eventId)) problems.push(`delivery ${d.id}: its event is missing`);
  }
  await checkCounters(kv, problems, { events, bookings, deliveries: byStatus });
  return {
    problems,
    census: {
      events: events.length,
      bookings: bookings.length,
      deliveries: deliveries.length,
      deliveriesByStatus: byStatus,
    },
  };
}

async function checkCounters(
  kv: Deno.Kv,
  problems: string[],
  seen: {
    events: Deno.KvEntry<EventRecord>[];
    bookings: Deno.KvEntry<BookingRecord>[];
    deliveries: Record<string, number>;
  },
): Promise<void> {
  const expect = async (key: Deno.KvKey, actual: number) => {
    const stored = await counter(kv, key);
    if (stored !== actual) problems.push(`${key.join("/")}: counter ${stored}, stored ${actual}`);
  };
  await expect(["counter", "events", "all"], seen.events.length);
  const unrecognised = seen.events.filter((e) => !e.value.recognised).length;
  await expect(["counter", "events", "unrecognised"], unrecognised);
  await expect(["counter", "bookings", "total"], seen.bookings.length);
  const statuses = new Map<string, number>();
  for (const b of seen.bookings) {
    statuses.set(b.value.status, (statuses.get(b.value.status) ?? 0) + 1);
  }
  for (const e of await collect<Deno.KvU64>(kv, ["counter", "bookings"])) {
    const status = e.key[2] as string;
    if (status !== "total") await expect(e.key, statuses.get(status) ?? 0);
  }
  for (const status of DELIVERY_STATUSES) {
    await expect(["counter", "deliveries", status], seen.deliveries[status] ?? 0);
  }
}
