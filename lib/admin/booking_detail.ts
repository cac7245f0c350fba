/**
 * Everything the booking page shows: the booking, each webhook event about it with its raw
 * payload as text, and every email with its attempts.
 * @module
 */
import type { Config } from "../config.ts";
import type { BookingRecord } from "../store/booking_projection.ts";
import { getBooking } from "../store/bookings.ts";
import { type DeliveryRecord, listBookingDeliveries } from "../store/deliveries.ts";
import { type EventRecord, listBookingEvents, readEventBody } from "../store/events.ts";
import { staffZone } from "./time.ts";

/** Payloads longer than this are cut in the viewer (the stored body is never changed). */
const MAX_PAYLOAD_CHARS = 200_000;

export interface TimelineEvent {
  event: EventRecord;
  /** The body as text: pretty-printed JSON when it parses, else the raw text. */
  payload: string;
  truncated: boolean;
}

export interface BookingDetail {
  booking: BookingRecord;
  zone: string;
  events: TimelineEvent[];
  deliveries: DeliveryRecord[];
}

/** The payload viewer's text; escaping happens where it is rendered. */
export function payloadText(body: Uint8Array): { payload: string; truncated: boolean } {
  const raw = new TextDecoder().decode(body);
  let text = raw;
  try {
    text = JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    // Not JSON (form-encoded, custom template): show it as it came.
  }
  const truncated = text.length > MAX_PAYLOAD_CHARS;
  return { payload: truncated ? text.slice(0, MAX_PAYLOAD_CHARS) : text, truncated };
}

/** The booking page's data, or null for an unknown uid. */
export async function loadBookingDetail(
  kv: Deno.Kv,
  config: Config,
  uid: string,
): Promise<BookingDetail | null> {
  const booking = await getBooking(kv, uid);
  if (!booking) return null;
  const [records, deliveries] = await Promise.all([
    listBookingEvents(kv, uid),
    listBookingDeliveries(kv, uid),
  ]);
  const events = await Promise.all(records.map(async (event) => ({
    event,
    ...payloadText(await readEventBody(kv, event)),
  })));
  return {
    booking,
    zone: staffZone(config.staffTimeZone, booking.facts?.organizer?.timeZone),
    events,
    deliveries,
  };
}
