/**
 * Renders the email of one delivery from what is stored: the event's raw body, parsed again,
 * and the booking record (reschedule chain, cancellation). Returns why not when the event is
 * gone or carries no booking, which no retry can fix.
 * @module
 */
import { parseCalcomDelivery } from "../calcom/event.ts";
import type { Config } from "../config.ts";
import { type BookingRecord, getBooking } from "../store/bookings.ts";
import type { DeliveryRecord } from "../store/deliveries.ts";
import { getEvent, readEventBody } from "../store/events.ts";
import { buildBookingEmail } from "./content.ts";
import { renderEmailHtml } from "./html.tsx";
import { bookingCalendar, type CalendarIdentity } from "./ics.ts";
import { bookingSubject, displayName, isPlainEmail } from "./subject.ts";
import { renderEmailText } from "./text.ts";
import type { OutgoingEmail } from "./types.ts";

/** Where mail goes when no SendGrid is configured (the dev outbox only stores it). */
const DEV_FROM = "calcom-webhook@localhost";
const DEV_TO = ["staff@localhost"];
const MAX_CHAIN = 20;

export type ComposeResult = { ok: true; email: OutgoingEmail } | { ok: false; error: string };

export async function composeDeliveryEmail(
  kv: Deno.Kv,
  config: Config,
  delivery: DeliveryRecord,
  now: Date,
): Promise<ComposeResult> {
  const event = await getEvent(kv, delivery.eventId);
  if (!event) return { ok: false, error: "event not found" };
  const parsed = parseCalcomDelivery(await readEventBody(kv, event));
  if (!parsed.recognised || parsed.event.kind !== "booking") {
    return { ok: false, error: "event carries no booking" };
  }
  const facts = parsed.event.booking;
  const booking = await getBooking(kv, facts.uid);
  const model = buildBookingEmail(delivery.trigger, facts, booking, {
    publicUrl: config.publicUrl,
    staffTimeZone: config.staffTimeZone,
  });
  const identity = await calendarIdentity(kv, model.kind, booking, facts.uid, facts.sequence);
  const first = facts.attendees.find((a) => isPlainEmail(a.email));
  return {
    ok: true,
    email: {
      deliveryId: delivery.id,
      bookingUid: facts.uid,
      trigger: delivery.trigger,
      from: config.emailFrom ?? DEV_FROM,
      to: config.emailTo.length ? config.emailTo : DEV_TO,
      replyTo: first ? { email: first.email, name: displayName(first.name) } : undefined,
      subject: bookingSubject(model.label, model.attendeeName, model.startForSubject),
      text: renderEmailText(model),
      html: renderEmailHtml(model),
      calendar: bookingCalendar(model, identity, now),
      categories: ["calcom-webhook", delivery.trigger.toLowerCase().replaceAll("_", "-")],
      customArgs: { delivery_id: delivery.id, booking_uid: facts.uid },
    },
  };
}

/**
 * The first booking of the reschedule chain and how many moves led here: a reschedule updates
 * the calendar entry the first email created (same UID, higher SEQUENCE), a cancel removes it.
 */
async function calendarIdentity(
  kv: Deno.Kv,
  kind: string,
  booking: BookingRecord | null,
  uid: string,
  calcomSequence: number | undefined,
): Promise<CalendarIdentity> {
  let rootUid = uid;
  let moves = 0;
  const seen = new Set([uid]);
  for (let hop = 0; hop < MAX_CHAIN; hop++) {
    // The first hop is the booking already read for the email: no second read of it.
    const from = (hop === 0 ? booking : await getBooking(kv, rootUid))?.rescheduledFrom;
    if (!from || seen.has(from)) break;
    seen.add(from);
    rootUid = from;
    moves++;
  }
  const base = Math.max(calcomSequence ?? 0, moves);
  return { rootUid, sequence: kind === "cancelled" ? base + 1 : base };
}
