/**
 * Bookings: the projection of Cal.com events keyed by booking uid, with reschedule links both
 * ways, a status history and a recent-first index. Owns `["booking", uid]`,
 * `["booking_recent", firstEventId, uid]` and the `["counter", "bookings", status]` counters.
 * @module
 */
import { type CalcomEvent, seatLeaver } from "../calcom/event.ts";
import {
  applyToBooking,
  type BookingChange,
  type BookingRecord,
  type HistoryEntry,
} from "./booking_projection.ts";
import { addBookingIndexMutations } from "./booking_indexes.ts";
import { adjustCounter } from "./counters.ts";

export type { BookingRecord, BookingStatus } from "./booking_projection.ts";

export const bookingKey = (uid: string) => ["booking", uid] as const;

const EFFECTS: Record<string, HistoryEntry["effect"]> = {
  BOOKING_CREATED: "booked",
  BOOKING_PAID: "booked",
  BOOKING_REQUESTED: "requested",
  BOOKING_RESCHEDULED: "booked",
  BOOKING_CANCELLED: "cancelled",
  BOOKING_REJECTED: "rejected",
};

/**
 * What an event changes, booking by booking. A reschedule changes two bookings: the new one
 * (booked, linked from the old) and the old one (rescheduled, linked to the new).
 */
export function bookingChangesFor(
  event: CalcomEvent,
  eventId: string,
  receivedAt: string,
): BookingChange[] {
  const at = event.createdAt ?? receivedAt;
  const entry = (effect?: HistoryEntry["effect"], noShow?: boolean): HistoryEntry => ({
    eventId,
    trigger: event.trigger,
    at,
    ...(effect ? { effect } : {}),
    ...(noShow !== undefined ? { noShow } : {}),
  });
  const now = receivedAt;
  switch (event.kind) {
    case "booking": {
      const b = event.booking;
      if (b.seatCancellation) {
        // Only the leaving attendee is listed: the booking's own facts stay as they are.
        const seat: HistoryEntry = { ...entry(), seatCancelled: true };
        return [{ uid: b.uid, entry: seat, fallbackFacts: b, cancelledSeat: seatLeaver(b), now }];
      }
      const main: BookingChange = {
        uid: b.uid,
        entry: entry(EFFECTS[event.trigger]),
        facts: b,
        now,
        rescheduledFrom: event.trigger === "BOOKING_RESCHEDULED" ? b.rescheduleUid : undefined,
        cancellation: event.trigger === "BOOKING_CANCELLED"
          ? {
            reason: b.cancellationReason,
            by: b.cancelledBy,
            requestReschedule: b.requestReschedule,
          }
          : undefined,
        rejectionReason: b.rejectionReason,
      };
      if (
        event.trigger !== "BOOKING_RESCHEDULED" || !b.rescheduleUid || b.rescheduleUid === b.uid
      ) {
        return [main];
      }
      // The old booking's facts, as far as this event knows them: used only if none arrive.
      const fallbackFacts = {
        ...b,
        uid: b.rescheduleUid,
        startTime: b.rescheduleStartTime ?? b.startTime,
        endTime: b.rescheduleEndTime ?? b.endTime,
      };
      const old: BookingChange = {
        uid: b.rescheduleUid,
        entry: entry("rescheduled"),
        fallbackFacts,
        rescheduledTo: b.uid,
        now,
      };
      return [main, old];
    }
    case "meeting":
      // A meeting row is a thinner description than the booking events': only a fallback.
      return [{ uid: event.booking.uid, entry: entry(), fallbackFacts: event.booking, now }];
    case "no_show":
      return [{
        uid: event.bookingUid,
        entry: entry(undefined, event.noShow.some((a) => a.noShow)),
        now,
      }];
    case "other":
      return event.bookingUid ? [{ uid: event.bookingUid, entry: entry(), now }] : [];
    default:
      return [];
  }
}

/**
 * Adds a booking change to the ingest commit: checked against the version read, so a
 * concurrent event for the same booking makes the commit retry with fresh state.
 */
export function addBookingMutations(
  op: Deno.AtomicOperation,
  current: Deno.KvEntryMaybe<BookingRecord>,
  change: BookingChange,
): BookingRecord {
  const previous = current.value;
  const next = applyToBooking(previous, change);
  op.check({ key: current.key, versionstamp: current.versionstamp }).set(current.key, next);
  if (!previous) op.set(["booking_recent", next.firstEventId, next.uid], null);
  if (previous?.status !== next.status) {
    if (previous) adjustCounter(op, ["counter", "bookings", previous.status], -1);
    adjustCounter(op, ["counter", "bookings", next.status], 1);
  }
  if (!previous) adjustCounter(op, ["counter", "bookings", "total"], 1);
  addBookingIndexMutations(op, previous, next);
  return next;
}

export async function getBooking(kv: Deno.Kv, uid: string): Promise<BookingRecord | null> {
  return (await kv.get<BookingRecord>(bookingKey(uid))).value;
}
