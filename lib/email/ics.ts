/**
 * The .ics attachment (RFC 5545 via ical-generator: CRLF lines folded at 75 octets, escaped
 * text, UTC times). The UID is stable across a reschedule chain (the first booking's uid), so a
 * calendar moves or cancels the entry it already has, and SEQUENCE rises with every change.
 * @module
 */
import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import type { CalendarAttachment } from "./types.ts";
import type { BookingEmail } from "./content.ts";

export interface CalendarIdentity {
  /** The uid of the first booking in the reschedule chain. */
  rootUid: string;
  sequence: number;
}

/** The attachment for kinds that change a calendar; none for generic notifications. */
export function bookingCalendar(
  email: BookingEmail,
  identity: CalendarIdentity,
  stamp: Date,
): CalendarAttachment | undefined {
  const method = email.kind === "cancelled"
    ? ICalCalendarMethod.CANCEL
    : ["created", "rescheduled", "requested"].includes(email.kind)
    ? ICalCalendarMethod.REQUEST
    : undefined;
  if (!method) return undefined;
  const f = email.facts;
  const calendar = ical({
    prodId: { company: "calcom-webhook", product: "staff-notifications", language: "EN" },
    method,
  });
  calendar.createEvent({
    id: `${identity.rootUid}@calcom-webhook`,
    sequence: identity.sequence,
    stamp,
    start: new Date(f.startTime),
    end: new Date(f.endTime),
    summary: f.title,
    description: `${email.label}. Admin: ${email.adminUrl}`,
    location: f.location ?? email.meetingUrl,
    url: email.calcomUrl ?? email.adminUrl,
    status: method === ICalCalendarMethod.CANCEL
      ? ICalEventStatus.CANCELLED
      : email.kind === "requested"
      ? ICalEventStatus.TENTATIVE
      : ICalEventStatus.CONFIRMED,
    organizer: f.organizer?.email
      ? { name: f.organizer.name || f.organizer.email, email: f.organizer.email }
      : undefined,
    attendees: f.attendees.map((a) => ({ name: a.name || a.email, email: a.email })),
  });
  return {
    filename: method === ICalCalendarMethod.CANCEL ? "cancel.ics" : "invite.ics",
    method,
    // Every content line ends in CRLF, the last one too (RFC 5545 §3.1).
    content: calendar.toString() + "\r\n",
  };
}
