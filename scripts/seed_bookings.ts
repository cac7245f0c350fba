/**
 * Writes many realistic bookings straight through the bookings store (the same
 * `addBookingMutations` the ingest commit uses, so every index and counter is right), fast:
 * ten bookings per atomic commit, several commits in flight. For the dashboard's scale check
 * (render time of /admin with 100,000 bookings vs 1,000) and for demos.
 *
 *   deno run -A scripts/seed_bookings.ts --count 100000 [--kv .data/bench.sqlite3]
 */
import type { BookingFacts } from "../lib/calcom/event.ts";
import type { BookingChange, HistoryEntry } from "../lib/store/booking_projection.ts";
import { addBookingMutations, bookingKey } from "../lib/store/bookings.ts";
import { newId } from "../lib/store/ids.ts";

const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia"];
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Perlman"];
const TYPES = ["Consultation", "Follow-up", "Strategy Session", "Intro call", "Workshop"];
const EFFECTS: HistoryEntry["effect"][] = ["booked", "booked", "booked", "cancelled", "requested"];
const PER_COMMIT = 10;
const IN_FLIGHT = 8;

/** The facts of the `i`-th seeded booking: varied names, types and start times. */
function seededFacts(i: number, uid: string, now: number): BookingFacts {
  const first = FIRST[i % FIRST.length];
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
  const type = TYPES[i % TYPES.length];
  const start = new Date(now + ((i % 120) - 60) * 86_400_000 + (i % 9) * 3_600_000);
  return {
    uid,
    title: `${type} between Studio and ${first} ${last}`,
    eventType: type,
    startTime: start.toISOString(),
    endTime: new Date(start.getTime() + 30 * 60_000).toISOString(),
    organizer: { name: "Studio", email: "studio@example.com", timeZone: "Europe/Berlin" },
    attendees: [{
      name: `${first} ${last}`,
      email: `${first}.${last}${i}@example.com`.toLowerCase(),
      timeZone: "Europe/Berlin",
    }],
    answers: [],
  };
}

function seededChange(i: number, now: number, firstSeen: number): BookingChange {
  const uid = `seed-${i.toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const eventId = newId(firstSeen);
  const at = new Date(firstSeen).toISOString();
  return {
    uid,
    entry: { eventId, trigger: "BOOKING_CREATED", at, effect: EFFECTS[i % EFFECTS.length] },
    facts: seededFacts(i, uid, now),
    now: at,
  };
}

/**
 * Adds `count` bookings first seen over the last `count` minutes (the newest one now).
 *
 * @example
 * await seedBookings(kv, 1000);
 */
export async function seedBookings(kv: Deno.Kv, count: number, now = Date.now()): Promise<void> {
  const commit = async (from: number) => {
    const op = kv.atomic();
    for (let i = from; i < Math.min(count, from + PER_COMMIT); i++) {
      const change = seededChange(i, now, now - (count - i) * 60_000);
      const empty = { key: bookingKey(change.uid), value: null, versionstamp: null };
      addBookingMutations(op, empty, change);
    }
    if (!(await op.commit()).ok) throw new Error("seeding commit failed");
  };
  const starts = Array.from({ length: Math.ceil(count / PER_COMMIT) }, (_, n) => n * PER_COMMIT);
  for (let n = 0; n < starts.length; n += IN_FLIGHT) {
    await Promise.all(starts.slice(n, n + IN_FLIGHT).map(commit));
  }
}

if (import.meta.main) {
  const arg = (name: string) => {
    const at = Deno.args.indexOf(`--${name}`);
    return at === -1 ? undefined : Deno.args[at + 1];
  };
  const count = Number(arg("count") ?? "1000");
  const path = arg("kv") ?? Deno.env.get("KV_PATH") ?? ".data/kv.sqlite3";
  const kv = await Deno.openKv(path);
  const started = performance.now();
  await seedBookings(kv, count);
  console.log(
    `Seeded ${count} bookings into ${path} in ${Math.round(performance.now() - started)} ms`,
  );
  kv.close();
}
