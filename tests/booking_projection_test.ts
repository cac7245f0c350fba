import assert from "node:assert/strict";
import fc from "fast-check";
import {
  applyToBooking,
  type BookingRecord,
  type HistoryEntry,
  statusFromHistory,
} from "@/lib/store/booking_projection.ts";

const effects = ["booked", "requested", "rescheduled", "cancelled", "rejected", undefined] as const;
const entry = fc.record({
  eventId: fc.uuid(),
  trigger: fc.constantFrom("BOOKING_CREATED", "BOOKING_CANCELLED", "BOOKING_REQUESTED"),
  // A narrow range, so that many events share an instant.
  at: fc.integer({ min: 0, max: 5 }).map((s) => `2024-01-01T00:00:0${s}.000Z`),
  effect: fc.constantFrom(...effects),
  noShow: fc.option(fc.boolean(), { nil: undefined }),
}).map((e) => JSON.parse(JSON.stringify(e)) as HistoryEntry);

Deno.test("[projection] property: arrival order never changes the final booking", () => {
  fc.assert(
    fc.property(
      fc.array(entry, { minLength: 1, maxLength: 12 }),
      fc.infiniteStream(fc.nat()),
      (entries, rnd) => {
        const shuffled = [...entries].sort(() => (rnd.next().value % 3) - 1);
        const apply = (list: HistoryEntry[]) =>
          list.reduce<BookingRecord | null>(
            (b, e) => applyToBooking(b, { uid: "u", entry: e, now: "2025-01-01T00:00:00.000Z" }),
            null,
          );
        assert.equal(apply(shuffled)?.status, apply(entries)?.status);
        assert.equal(apply(shuffled)?.status, statusFromHistory(entries));
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("[projection] status rules", async (t) => {
  const at = (s: string, effect?: HistoryEntry["effect"], noShow?: boolean): HistoryEntry => ({
    eventId: s,
    trigger: "T",
    at: `2024-01-01T00:00:0${s}.000Z`,
    ...(effect ? { effect } : {}),
    ...(noShow === undefined ? {} : { noShow }),
  });
  await t.step("the latest effect wins", () => {
    assert.equal(statusFromHistory([at("1", "requested"), at("2", "booked")]), "booked");
    assert.equal(statusFromHistory([at("2", "booked"), at("1", "requested")]), "booked");
  });
  await t.step("a cancel sent in the same instant as its create wins", () => {
    assert.equal(statusFromHistory([at("1", "cancelled"), at("1", "booked")]), "cancelled");
  });
  await t.step("no-show marks a booked booking and can be undone", () => {
    assert.equal(statusFromHistory([at("1", "booked"), at("2", undefined, true)]), "no_show");
    assert.equal(
      statusFromHistory([at("1", "booked"), at("2", undefined, true), at("3", undefined, false)]),
      "booked",
    );
  });
});
