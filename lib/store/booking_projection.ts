/**
 * The booking projection as a pure function of its history: events may arrive late, twice or
 * out of order (a cancel before its create), so the state is recomputed from all history
 * entries sorted by Cal.com's send time rather than applied in arrival order.
 * @module
 */
import type { BookingFacts } from "../calcom/event.ts";

export type BookingStatus =
  | "booked"
  | "requested"
  | "rescheduled"
  | "cancelled"
  | "rejected"
  | "no_show";

export const BOOKING_STATUSES: readonly BookingStatus[] = [
  "booked",
  "requested",
  "rescheduled",
  "cancelled",
  "rejected",
  "no_show",
];

/** What one event did to a booking. */
export interface HistoryEntry {
  eventId: string;
  trigger: string;
  /** Cal.com's send time, or our receive time when the body has none. */
  at: string;
  /** The status this event moves the booking to, if any. */
  effect?: Exclude<BookingStatus, "no_show">;
  /** For no-show updates: whether any attendee is now marked absent. */
  noShow?: boolean;
  /** One attendee gave up their seat: no effect on the status, the other seats stay booked. */
  seatCancelled?: boolean;
}

export interface BookingRecord {
  uid: string;
  status: BookingStatus;
  /** The most recent full description of the booking (absent until one arrives). */
  facts?: BookingFacts;
  /** `at` of the event the facts came from: older facts never overwrite newer ones. */
  factsAt?: string;
  /** The first event seen for this booking: the key of the recent-bookings index. */
  firstEventId: string;
  rescheduledFrom?: string;
  rescheduledTo?: string;
  cancellation?: { reason?: string; by?: string; requestReschedule?: boolean };
  rejectionReason?: string;
  attendeeCount: number;
  /** Emails of the latest seats given up, oldest first (a seated booking stays booked). */
  cancelledSeats?: string[];
  history: HistoryEntry[];
  updatedAt: string;
}

/** Later-ranked effects win ties at the same instant: a cancel beats a create sent with it. */
const EFFECT_RANK: Record<string, number> = {
  requested: 0,
  booked: 1,
  rescheduled: 2,
  rejected: 3,
  cancelled: 3,
};
/** Enough history for the dashboard; the full timeline is the event index. */
const MAX_HISTORY = 100;
/** Keeps a booking with thousands of seat attendees inside one KV value. */
export const MAX_STORED_ATTENDEES = 25;
const MAX_ANSWERS = 50;
/** Few enough that a booking with many seat cancellations still fits in one KV value. */
export const MAX_CANCELLED_SEATS = 10;

function byTime(a: HistoryEntry, b: HistoryEntry): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  const rank = (EFFECT_RANK[a.effect ?? ""] ?? -1) - (EFFECT_RANK[b.effect ?? ""] ?? -1);
  // Last resort, so that the result never depends on arrival order.
  return rank || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/** The status implied by a history. */
export function statusFromHistory(history: readonly HistoryEntry[]): BookingStatus {
  const sorted = [...history].sort(byTime);
  let status: BookingStatus = "booked";
  let noShow = false;
  for (const entry of sorted) {
    if (entry.effect) status = entry.effect;
    if (entry.noShow !== undefined) noShow = entry.noShow;
  }
  return noShow && (status === "booked") ? "no_show" : status;
}

/** Bounds facts so that one booking always fits in a KV value. */
export function boundFacts(facts: BookingFacts): BookingFacts {
  return {
    ...facts,
    title: facts.title.slice(0, 500),
    notes: facts.notes?.slice(0, 4000),
    attendees: facts.attendees.slice(0, MAX_STORED_ATTENDEES),
    answers: facts.answers.slice(0, MAX_ANSWERS),
  };
}

export interface BookingChange {
  uid: string;
  entry: HistoryEntry;
  facts?: BookingFacts;
  /** Facts to use only while the booking has none (the old side of a reschedule). */
  fallbackFacts?: BookingFacts;
  rescheduledFrom?: string;
  rescheduledTo?: string;
  cancellation?: BookingRecord["cancellation"];
  rejectionReason?: string;
  /** The email of the attendee whose seat was cancelled. */
  cancelledSeat?: string;
  now: string;
}

/** Applies one event to a booking (or starts it), returning the new record. */
export function applyToBooking(
  current: BookingRecord | null,
  change: BookingChange,
): BookingRecord {
  const history = [...(current?.history ?? []), change.entry].sort(byTime).slice(-MAX_HISTORY);
  const newerFacts = change.facts && (!current?.factsAt || current.factsAt <= change.entry.at);
  const fallback = !current?.facts && !change.facts ? change.fallbackFacts : undefined;
  const facts = newerFacts ? change.facts : current?.facts ?? fallback;
  const cancelledSeats = withCancelledSeat(current?.cancelledSeats, change.cancelledSeat);
  return {
    uid: change.uid,
    status: statusFromHistory(history),
    facts: facts && boundFacts(facts),
    factsAt: newerFacts ? change.entry.at : current?.factsAt,
    firstEventId: current?.firstEventId ?? change.entry.eventId,
    rescheduledFrom: change.rescheduledFrom ?? current?.rescheduledFrom,
    rescheduledTo: change.rescheduledTo ?? current?.rescheduledTo,
    cancellation: change.cancellation ?? current?.cancellation,
    rejectionReason: change.rejectionReason ?? current?.rejectionReason,
    attendeeCount: newerFacts
      ? change.facts!.attendees.length
      : current?.attendeeCount ?? fallback?.attendees.length ?? 0,
    ...(cancelledSeats ? { cancelledSeats } : {}),
    history,
    updatedAt: change.now,
  };
}

function withCancelledSeat(
  seats: string[] | undefined,
  email: string | undefined,
): string[] | undefined {
  if (email === undefined) return seats;
  return [...(seats ?? []).filter((e) => e !== email), email].slice(-MAX_CANCELLED_SEATS);
}
