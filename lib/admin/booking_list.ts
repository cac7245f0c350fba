/**
 * Builds the dashboard's bookings list (`BookingListData`) from a query string: the same data
 * for the server-rendered page, the no-JavaScript form and the island's JSON refreshes.
 * @module
 */
import type { Config } from "../config.ts";
import { BOOKING_STATUSES, type BookingStatus } from "../store/booking_projection.ts";
import { type BookingWithDeliveries, searchBookings } from "../store/booking_search.ts";
import { listCounters, readCounters } from "../store/counters.ts";
import { PROBLEM_STATUSES } from "../store/booking_search.ts";
import type { BookingFilters, BookingListData, BookingRow, EmailSummary } from "./booking_view.ts";
import { dayStart, formatTime, staffZone } from "./time.ts";

export const PAGE_SIZE = 25;
const MAX_EVENT_TYPES = 100;

export const STATUS_LABELS: Record<BookingStatus, string> = {
  booked: "Booked",
  requested: "Requested",
  rescheduled: "Rescheduled",
  cancelled: "Cancelled",
  rejected: "Rejected",
  no_show: "No-show",
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filters in a query string; anything unknown or malformed is dropped. */
export function parseFilters(params: URLSearchParams): BookingFilters {
  const status = params.get("status") ?? "";
  const day = (name: string) => {
    const value = params.get(name) ?? "";
    return DAY.test(value) ? value : "";
  };
  return {
    status: (BOOKING_STATUSES as readonly string[]).includes(status) ? status : "",
    type: (params.get("type") ?? "").slice(0, 200),
    from: day("from"),
    to: day("to"),
    problem: params.get("problem") === "1",
    q: (params.get("q") ?? "").slice(0, 200),
  };
}

function emailSummary(item: BookingWithDeliveries): EmailSummary[] {
  const counts = new Map<string, number>();
  for (const d of item.deliveries) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  return [...counts].map(([status, count]) => ({
    status,
    count,
    problem: (PROBLEM_STATUSES as readonly string[]).includes(status),
  }));
}

/** One table row: every text here is untrusted and is escaped where it is rendered. */
export function toBookingRow(item: BookingWithDeliveries, configuredZone?: string): BookingRow {
  const { booking } = item;
  const facts = booking.facts;
  const zone = staffZone(configuredZone, facts?.organizer?.timeZone);
  const first = facts?.attendees[0];
  return {
    uid: booking.uid,
    status: booking.status,
    statusLabel: STATUS_LABELS[booking.status] ?? booking.status,
    title: facts?.title ?? "(no details received yet)",
    start: formatTime(facts?.startTime, zone),
    startIso: facts?.startTime,
    zone,
    attendee: first ? first.name || first.email : "—",
    moreAttendees: Math.max(0, booking.attendeeCount - 1),
    eventType: facts?.eventType ?? "—",
    emails: emailSummary(item),
  };
}

/**
 * The list for one request.
 *
 * @example
 * const data = await loadBookingList(kv, config, new URL(req.url).searchParams);
 */
export async function loadBookingList(
  kv: Deno.Kv,
  config: Config,
  params: URLSearchParams,
): Promise<BookingListData> {
  const filters = parseFilters(params);
  const cursor = params.get("cursor") ?? undefined;
  const zone = staffZone(config.staffTimeZone);
  const [page, counts, types] = await Promise.all([
    searchBookings(kv, {
      status: (filters.status || undefined) as BookingStatus | undefined,
      eventType: filters.type || undefined,
      from: filters.from ? dayStart(filters.from, zone) : undefined,
      to: filters.to ? dayStart(filters.to, zone, 1) : undefined,
      q: filters.q || undefined,
      deliveryProblem: filters.problem,
    }, { limit: PAGE_SIZE, cursor }),
    readCounters(kv, [...BOOKING_STATUSES, "total"].map((s) => ["counter", "bookings", s])),
    listCounters(kv, ["counter", "booking_types"], MAX_EVENT_TYPES),
  ]);
  return {
    rows: page.items.map((item) => toBookingRow(item, config.staffTimeZone)),
    next: page.cursor,
    partial: page.partial,
    counts: BOOKING_STATUSES.map((status, i) => ({
      status,
      label: STATUS_LABELS[status],
      count: counts[i],
    })),
    total: counts[BOOKING_STATUSES.length],
    eventTypes: types.filter((t) => t.value > 0).map((t) => String(t.key[2])),
    filters,
    paged: cursor !== undefined,
  };
}
