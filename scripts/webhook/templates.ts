/**
 * A delivery body for every trigger Cal.com sends, serialised the way Cal.com serialises it:
 * compact `JSON.stringify({triggerEvent, createdAt, payload})`, flat for MEETING_* and with the
 * form answers at the root for FORM_SUBMITTED*. Each call makes fresh uids and times.
 * @module
 */
import { KNOWN_TRIGGERS, type Trigger } from "@/lib/calcom/schema.ts";
import {
  type Booking,
  bookingPayload,
  meetingRow,
  newBooking,
  rescheduledBooking,
} from "./booking_payload.ts";
import * as other from "./other_payloads.ts";
import { BOOKER, EVENT_TYPE, ORGANIZER, STAND_IN_HOST } from "./sample.ts";

export const TEMPLATE_TRIGGERS: readonly Trigger[] = KNOWN_TRIGGERS;

export function isTemplateTrigger(name: string): name is Trigger {
  return (TEMPLATE_TRIGGERS as readonly string[]).includes(name);
}

export interface TemplateOptions {
  now?: Date;
  /** The booking the event is about; a new one when absent. */
  booking?: Booking;
}

/** The exact text to send, and the booking it concerns (after a reschedule: the new one). */
export interface Delivery {
  trigger: Trigger;
  body: string;
  booking: Booking;
}

type Payload = Record<string, unknown>;

/**
 * Builds the body Cal.com would send for `trigger`.
 *
 * @example
 * const { body, booking } = buildDelivery("BOOKING_CREATED");
 * const moved = buildDelivery("BOOKING_RESCHEDULED", { booking });
 */
export function buildDelivery(trigger: Trigger, options: TemplateOptions = {}): Delivery {
  const now = options.now ?? new Date();
  const given = options.booking ?? newBooking(now);
  const booking = trigger === "BOOKING_RESCHEDULED" ? rescheduledBooking(given, now) : given;
  const createdAt = now.toISOString();
  if (trigger === "MEETING_STARTED" || trigger === "MEETING_ENDED") {
    return {
      trigger,
      booking,
      body: JSON.stringify({ triggerEvent: trigger, ...meetingRow(booking, now) }),
    };
  }
  const root = trigger.startsWith("FORM_SUBMITTED") ? other.formRootAnswers() : {};
  const payload = payloadFor(trigger, booking, given, now);
  return {
    trigger,
    booking,
    body: JSON.stringify({ ...root, triggerEvent: trigger, createdAt, payload }),
  };
}

function payloadFor(trigger: Trigger, b: Booking, previous: Booking, now: Date): Payload {
  switch (trigger) {
    case "BOOKING_CREATED":
    case "BOOKING_LOCATION_UPDATED":
      return bookingPayload(b);
    case "BOOKING_REQUESTED":
      return {
        ...bookingPayload(b),
        status: "PENDING",
        requiresConfirmation: true,
        oneTimePassword: crypto.randomUUID(),
      };
    case "BOOKING_REJECTED":
      return {
        ...bookingPayload(b),
        status: "REJECTED",
        rejectionReason: "Fully booked that week",
      };
    case "BOOKING_RESCHEDULED":
      return {
        ...bookingPayload(b),
        rescheduleId: previous.bookingId,
        rescheduleUid: previous.uid,
        rescheduleStartTime: previous.start.toISOString().replace(/\.\d{3}Z$/, "Z"),
        rescheduleEndTime: previous.end.toISOString().replace(/\.\d{3}Z$/, "Z"),
        rescheduledBy: BOOKER.email,
      };
    case "BOOKING_CANCELLED":
      return {
        ...bookingPayload(b, "cancel"),
        status: "CANCELLED",
        cancellationReason: "Something came up at work, sorry.",
        cancelledBy: BOOKER.email,
        requestReschedule: false,
      };
    case "BOOKING_PAYMENT_INITIATED":
    case "BOOKING_PAID":
      return paidPayload(trigger, b);
    case "BOOKING_REASSIGNED":
      return {
        ...bookingPayload(b),
        organizer: STAND_IN_HOST,
        assignmentReason: [{ reasonEnum: "REASSIGNED", reasonString: "Reassigned by the team" }],
      };
    default:
      return otherPayload(trigger, b, now);
  }
}

function paidPayload(trigger: Trigger, b: Booking): Payload {
  const paymentId = b.bookingId + 1;
  const base = { ...bookingPayload(b), price: 9000, currency: "eur", paymentId };
  if (trigger === "BOOKING_PAYMENT_INITIATED") return base;
  return {
    ...base,
    paymentData: { id: paymentId, success: true, refunded: false, amount: 9000, currency: "eur" },
    metadata: {
      identifier: "cal.com",
      bookingId: b.bookingId,
      eventTypeId: EVENT_TYPE.id,
      bookerEmail: BOOKER.email,
      eventTitle: EVENT_TYPE.title,
      externalId: `pi_${b.uid}`,
    },
  };
}

function otherPayload(trigger: Trigger, b: Booking, now: Date): Payload {
  switch (trigger) {
    case "BOOKING_NO_SHOW_UPDATED":
      return other.noShowUpdated(b);
    case "FORM_SUBMITTED":
    case "FORM_SUBMITTED_NO_EVENT":
      return other.formSubmitted(trigger === "FORM_SUBMITTED_NO_EVENT");
    case "ROUTING_FORM_FALLBACK_HIT":
      return other.routingFallback();
    case "RECORDING_READY":
    case "RECORDING_TRANSCRIPTION_GENERATED":
      return other.recording(b, trigger === "RECORDING_TRANSCRIPTION_GENERATED");
    case "INSTANT_MEETING":
    case "INSTANT_MEETING_ACCEPTED":
      return { ...other.instantMeeting(b), triggerEvent: trigger };
    case "OOO_CREATED":
      return other.outOfOffice(now);
    case "AFTER_HOSTS_CAL_VIDEO_NO_SHOW":
    case "AFTER_GUESTS_CAL_VIDEO_NO_SHOW":
      return other.calVideoNoShow(b, trigger === "AFTER_HOSTS_CAL_VIDEO_NO_SHOW");
    case "WRONG_ASSIGNMENT_REPORT":
      return other.wrongAssignment(b);
    case "CALENDAR_ENTRY_REJECTED":
      return other.calendarEntryRejected(b);
    case "PING":
      return other.ping(now);
    default:
      if (trigger.startsWith("DELEGATION_CREDENTIAL")) return other.delegationCredential(trigger);
      return { uid: b.uid, organizer: ORGANIZER };
  }
}
