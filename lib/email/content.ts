/**
 * What a staff email says, as one model both renderings (HTML, text) and the subject read from:
 * built from the event's booking facts, the booking record and the configuration.
 * @module
 */
import type { BookingFacts, Person } from "../calcom/event.ts";
import type { BookingRecord } from "../store/bookings.ts";
import { staffZone as staffZoneOf } from "../time_zone.ts";
import { durationMinutes, formatRange, formatStart, safeZone } from "./time.ts";

export type EmailKind = "created" | "rescheduled" | "cancelled" | "requested" | "other";

export interface BookingEmail {
  kind: EmailKind;
  trigger: string;
  /** "New booking", "Rescheduled", … */
  label: string;
  lead: string;
  facts: BookingFacts;
  attendeeName: string;
  staffZone: string;
  when: string;
  /** Start in the staff zone, for the subject. */
  startForSubject: string;
  /** The time in the first attendee's zone, when it differs from the staff zone. */
  attendeeWhen?: { zone: string; text: string };
  /** Old time of a reschedule, in the staff zone. */
  previousWhen?: string;
  durationMinutes: number;
  attendees: Person[];
  /** Only http(s) links are rendered as links. */
  meetingUrl?: string;
  adminUrl: string;
  calcomUrl?: string;
  cancellation?: { reason?: string; by?: string };
  rejectionReason?: string;
}

const KINDS: Record<string, { kind: EmailKind; label: string; lead: string }> = {
  BOOKING_CREATED: { kind: "created", label: "New booking", lead: "A new booking was made." },
  BOOKING_RESCHEDULED: {
    kind: "rescheduled",
    label: "Rescheduled",
    lead: "A booking was moved to a new time.",
  },
  BOOKING_CANCELLED: { kind: "cancelled", label: "Cancelled", lead: "A booking was cancelled." },
  BOOKING_REQUESTED: {
    kind: "requested",
    label: "Booking request",
    lead: "A booking needs your confirmation in Cal.com.",
  },
};

/** A seat given up: no calendar change (the booking stays), so no `.ics` either. */
const SEAT_CANCELLED = {
  kind: "other",
  label: "Seat cancelled",
  lead: "An attendee cancelled their seat; the booking stays for the others.",
} as const;

function otherKind(trigger: string): { kind: EmailKind; label: string; lead: string } {
  const words = trigger.toLowerCase().split("_").join(" ");
  const label = words.charAt(0).toUpperCase() + words.slice(1);
  return { kind: "other", label, lead: `Cal.com reported: ${label.toLowerCase()}.` };
}

/** A link we are willing to render: http(s) only, never `javascript:` or `data:`. */
export function safeHttpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export interface EmailContext {
  publicUrl: string;
  staffTimeZone?: string;
}

/**
 * @example
 * const email = buildBookingEmail("BOOKING_CREATED", facts, booking, { publicUrl });
 */
export function buildBookingEmail(
  trigger: string,
  facts: BookingFacts,
  booking: BookingRecord | null,
  context: EmailContext,
): BookingEmail {
  const seat = facts.seatCancellation === true;
  const k = seat ? SEAT_CANCELLED : KINDS[trigger] ?? otherKind(trigger);
  const staffZone = staffZoneOf(context.staffTimeZone, facts.organizer?.timeZone);
  const first = facts.attendees[0];
  const attendeeZone = first?.timeZone ? safeZone(first.timeZone) : undefined;
  const bookerUrl = safeHttpUrl(facts.bookerUrl);
  // A seat's reason is in its own event; the record's is the whole booking's.
  const cancellation = (!seat && booking?.cancellation) || {
    reason: facts.cancellationReason,
    by: facts.cancelledBy,
  };
  return {
    ...k,
    trigger,
    facts,
    attendeeName: first?.name || first?.email || "",
    staffZone,
    when: formatRange(facts.startTime, facts.endTime, staffZone),
    startForSubject: formatStart(facts.startTime, staffZone),
    attendeeWhen: attendeeZone && attendeeZone !== staffZone
      ? { zone: attendeeZone, text: formatRange(facts.startTime, facts.endTime, attendeeZone) }
      : undefined,
    previousWhen: k.kind === "rescheduled" && facts.rescheduleStartTime
      ? formatRange(
        facts.rescheduleStartTime,
        facts.rescheduleEndTime ?? facts.rescheduleStartTime,
        staffZone,
      )
      : undefined,
    durationMinutes: durationMinutes(facts.startTime, facts.endTime),
    attendees: facts.attendees,
    meetingUrl: safeHttpUrl(facts.meetingUrl),
    adminUrl: `${context.publicUrl}/admin/bookings/${encodeURIComponent(facts.uid)}`,
    calcomUrl: bookerUrl
      ? `${bookerUrl.replace(/\/+$/, "")}/booking/${encodeURIComponent(facts.uid)}`
      : undefined,
    cancellation: k.kind === "cancelled" || seat ? cancellation : undefined,
    rejectionReason: facts.rejectionReason,
  };
}
