/**
 * The bookings list as the dashboard shows it: plain data, shared by the server (which builds
 * it) and the `BookingBrowser` island (which renders and refreshes it). Types only, so the
 * island bundle pulls in nothing from the server.
 * @module
 */

/** The emails of one booking, grouped by delivery status. */
export interface EmailSummary {
  status: string;
  count: number;
  problem: boolean;
}

export interface BookingRow {
  uid: string;
  status: string;
  statusLabel: string;
  title: string;
  /** Start time formatted in `zone`. */
  start: string;
  startIso?: string;
  zone: string;
  attendee: string;
  /** Further attendees not named. */
  moreAttendees: number;
  eventType: string;
  emails: EmailSummary[];
}

/** The filter form's values, exactly as in the URL (`?status=&type=&from=&to=&problem=&q=`). */
export interface BookingFilters {
  status: string;
  type: string;
  from: string;
  to: string;
  problem: boolean;
  q: string;
}

export interface StatusCount {
  status: string;
  label: string;
  count: number;
}

export interface BookingListData {
  rows: BookingRow[];
  /** Cursor of the next page, if any. */
  next?: string;
  /** The page stopped before it was full: the next page continues the search. */
  partial: boolean;
  counts: StatusCount[];
  total: number;
  eventTypes: string[];
  filters: BookingFilters;
  /** Whether this page was asked for with a cursor (live updates only refresh page one). */
  paged: boolean;
}

/** The query string for filters and an optional cursor, without empty values. */
export function filtersToSearch(filters: BookingFilters, cursor?: string): string {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (filters.type) params.set("type", filters.type);
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  if (filters.problem) params.set("problem", "1");
  if (filters.q.trim()) params.set("q", filters.q.trim());
  if (cursor) params.set("cursor", cursor);
  const text = params.toString();
  return text ? `?${text}` : "";
}
