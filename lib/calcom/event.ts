/**
 * Turns the raw bytes of a signed Cal.com delivery into one normalised {@link CalcomEvent}, or
 * says why it is not a recognisable Cal.com envelope (custom template, form-urlencoded body,
 * invalid JSON, unknown future trigger, or a known trigger missing what we rely on).
 * @module
 */
import {
  BOOKING_TRIGGERS,
  type BookingPayload,
  bookingPayloadSchema,
  type BookingTrigger,
  envelopeSchema,
  formPayloadSchema,
  KNOWN_TRIGGERS,
  meetingPayloadSchema,
  noShowPayloadSchema,
  type Trigger,
} from "./schema.ts";
import { boundFacts, uidFits } from "./bounds.ts";

export interface Person {
  name: string;
  email: string;
  timeZone?: string;
}

/** One answer of the booking form, flattened to text for storage and emails. */
export interface Answer {
  field: string;
  label: string;
  value: string;
}

/** What a booking event tells us about the booking, normalised. */
export interface BookingFacts {
  uid: string;
  bookingId?: number;
  title: string;
  eventType?: string;
  eventTypeId?: number;
  startTime: string;
  endTime: string;
  organizer?: Person;
  attendees: Person[];
  location?: string;
  meetingUrl?: string;
  notes?: string;
  calcomStatus?: string;
  bookerUrl?: string;
  sequence?: number;
  answers: Answer[];
  rescheduleUid?: string;
  rescheduleStartTime?: string;
  rescheduleEndTime?: string;
  rescheduledBy?: string;
  cancellationReason?: string;
  cancelledBy?: string;
  rejectionReason?: string;
  requestReschedule?: boolean;
  /** A BOOKING_CANCELLED for one seat only: the booking stays, `attendees` is who left. */
  seatCancellation?: boolean;
}

interface EventBase {
  trigger: Trigger;
  /** The envelope's `createdAt` (when Cal.com sent it), normalised; absent on flat bodies. */
  createdAt?: string;
}

export type CalcomEvent =
  | EventBase & { kind: "booking"; trigger: BookingTrigger; booking: BookingFacts }
  | EventBase & { kind: "meeting"; booking: BookingFacts }
  | EventBase & {
    kind: "no_show";
    bookingUid: string;
    noShow: { email: string; noShow: boolean }[];
  }
  | EventBase & { kind: "form"; formId: string; formName: string }
  | EventBase & { kind: "ping" }
  | EventBase & { kind: "other"; bookingUid?: string };

export type ParsedDelivery =
  | { recognised: true; event: CalcomEvent }
  | { recognised: false; reason: string; trigger?: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const MAX_ANSWER_TEXT = 2000;

/**
 * Parses a delivery by its content, not its `Content-Type`: Cal.com's newer sender posts the
 * JSON envelope under a form-urlencoded type when a template is configured.
 */
export function parseCalcomDelivery(body: Uint8Array): ParsedDelivery {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(body));
  } catch {
    return { recognised: false, reason: "body is not JSON" };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { recognised: false, reason: "no triggerEvent" };
  const { triggerEvent, createdAt } = envelope.data;
  if (!isKnownTrigger(triggerEvent)) {
    // Stored and used in counter keys (KV keys max out at 2 KiB): a name, not a payload.
    return { recognised: false, reason: "unknown trigger", trigger: triggerEvent.slice(0, 100) };
  }
  // MEETING_* bodies are flat (the booking row next to triggerEvent) unless wrapped.
  const wrapped = envelope.data.payload !== undefined;
  const payload = wrapped ? envelope.data.payload : json;
  // A flat body's createdAt is the booking row's, not the delivery's.
  const event = toEvent(triggerEvent, payload, wrapped ? createdAt : undefined);
  if (!event) {
    return { recognised: false, reason: "payload shape not recognised", trigger: triggerEvent };
  }
  return { recognised: true, event };
}

function isKnownTrigger(trigger: string): trigger is Trigger {
  return (KNOWN_TRIGGERS as readonly string[]).includes(trigger);
}

function isBookingTrigger(trigger: Trigger): trigger is BookingTrigger {
  return (BOOKING_TRIGGERS as readonly string[]).includes(trigger);
}

function toEvent(trigger: Trigger, payload: unknown, createdAt?: string): CalcomEvent | null {
  if (isBookingTrigger(trigger)) {
    const parsed = bookingPayloadSchema.safeParse(payload);
    if (!parsed.success || !uidFits(parsed.data.uid) || !uidFits(parsed.data.rescheduleUid)) {
      return null;
    }
    const facts = bookingFacts(parsed.data);
    if (trigger === "BOOKING_CANCELLED" && isSeatCancellation(payload)) {
      facts.seatCancellation = true;
    }
    return { kind: "booking", trigger, createdAt, booking: boundFacts(facts) };
  }
  switch (trigger) {
    case "PING":
      return { kind: "ping", trigger, createdAt };
    case "MEETING_STARTED":
    case "MEETING_ENDED": {
      const parsed = meetingPayloadSchema.safeParse(payload);
      if (!parsed.success || !uidFits(parsed.data.uid)) return null;
      const { uid, title, startTime, endTime, attendees, location } = parsed.data;
      const organizer = parsed.data.organizer ?? parsed.data.user ?? undefined;
      const booking = {
        uid,
        title,
        startTime,
        endTime,
        attendees,
        location,
        organizer,
        answers: [],
      };
      return { kind: "meeting", trigger, createdAt, booking: boundFacts(booking) };
    }
    case "BOOKING_NO_SHOW_UPDATED": {
      const parsed = noShowPayloadSchema.safeParse(payload);
      if (!parsed.success || !uidFits(parsed.data.bookingUid)) return null;
      const { bookingUid, attendees } = parsed.data;
      return { kind: "no_show", trigger, createdAt, bookingUid, noShow: attendees };
    }
    case "FORM_SUBMITTED":
    case "FORM_SUBMITTED_NO_EVENT": {
      const parsed = formPayloadSchema.safeParse(payload);
      return parsed.success ? { kind: "form", trigger, createdAt, ...parsed.data } : null;
    }
    default:
      return { kind: "other", trigger, createdAt, bookingUid: relatedBookingUid(payload) };
  }
}

/** For one seat's cancellation, the email of the attendee who left; otherwise undefined. */
export function seatLeaver(facts: BookingFacts): string | undefined {
  return facts.seatCancellation ? facts.attendees[0]?.email : undefined;
}

/**
 * Cal.com's seat cancel (handleSeats/cancel/cancelAttendeeSeat.ts) sends BOOKING_CANCELLED with
 * the booking's uid but only the leaving attendee, spread from their stored row (so it has a
 * numeric `bookingId`); a whole-booking cancel builds its attendees without one. Only a seated
 * event with other seats left takes that path, so the last seat cancels the whole booking.
 */
function isSeatCancellation(payload: unknown): boolean {
  const p = payload as { seatsPerTimeSlot?: unknown; attendees?: unknown };
  if (typeof p.seatsPerTimeSlot !== "number" || p.seatsPerTimeSlot <= 0) return false;
  if (!Array.isArray(p.attendees) || p.attendees.length !== 1) return false;
  const attendee = p.attendees[0] as { bookingId?: unknown } | null;
  return typeof attendee?.bookingId === "number";
}

/** Recording, no-show-video and report payloads name their booking in one of these places. */
function relatedBookingUid(payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  const nested = p.booking as Record<string, unknown> | undefined;
  const uid = p.bookingUid ?? p.uid ?? (typeof nested === "object" ? nested?.uid : undefined);
  return typeof uid === "string" && uid.length > 0 && uidFits(uid) ? uid : undefined;
}

function bookingFacts(p: BookingPayload): BookingFacts {
  return {
    uid: p.uid,
    bookingId: p.bookingId ?? undefined,
    title: p.title,
    eventType: p.eventTitle ?? p.type,
    eventTypeId: p.eventTypeId ?? undefined,
    startTime: p.startTime,
    endTime: p.endTime,
    organizer: p.organizer ?? undefined,
    attendees: p.attendees,
    location: p.location,
    meetingUrl: p.metadata?.videoCallUrl ?? p.videoCallData?.url,
    notes: p.additionalNotes || p.description,
    calcomStatus: p.status,
    bookerUrl: p.bookerUrl,
    sequence: p.iCalSequence ?? undefined,
    answers: answers(p.responses ?? {}),
    rescheduleUid: p.rescheduleUid,
    rescheduleStartTime: p.rescheduleStartTime ?? undefined,
    rescheduleEndTime: p.rescheduleEndTime ?? undefined,
    rescheduledBy: p.rescheduledBy,
    cancellationReason: p.cancellationReason,
    cancelledBy: p.cancelledBy,
    rejectionReason: p.rejectionReason,
    requestReschedule: p.requestReschedule ?? undefined,
  };
}

function answers(responses: Record<string, { label: string; value?: unknown }>): Answer[] {
  return Object.entries(responses)
    .filter(([, r]) => r.value !== undefined && r.value !== null && r.value !== "")
    .map(([field, r]) => ({
      field,
      label: r.label || field,
      value: answerText(r.value, 0).slice(0, MAX_ANSWER_TEXT),
    }));
}

/** Answers nest at most a few levels in real forms; deeper structures are not read further. */
const MAX_ANSWER_DEPTH = 8;

function answerText(value: unknown, depth: number): string {
  if (typeof value === "string") return value;
  if (depth >= MAX_ANSWER_DEPTH) return "";
  if (Array.isArray(value)) {
    // Only as many items as can show in the capped text (a hostile array may have millions).
    return value.slice(0, MAX_ANSWER_TEXT).map((v) => answerText(v, depth + 1)).join(", ");
  }
  if (typeof value === "object" && value !== null) {
    const { value: inner, optionValue } = value as Record<string, unknown>;
    if (inner !== undefined) {
      return [answerText(inner, depth + 1), answerText(optionValue, depth + 1)].filter(Boolean)
        .join(" ");
    }
    return boundedJson(value);
  }
  return value === undefined || value === null ? "" : String(value);
}

/** JSON text of an object answer, or a placeholder when it is too deep to stringify. */
function boundedJson(value: object): string {
  try {
    return JSON.stringify(value).slice(0, MAX_ANSWER_TEXT);
  } catch {
    return "[structured answer]";
  }
}
