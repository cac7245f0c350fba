/**
 * zod schemas for the parts of Cal.com's webhook bodies this app uses. Lenient about everything
 * else: unknown fields are ignored (the raw body is always stored), odd optional values are
 * dropped, strict only about what a booking cannot do without (uid, times, attendees' emails).
 * Shapes: ../shared/notes/calcom-webhooks.md.
 * @module
 */
import { z } from "zod";

/** Every trigger Cal.com documents today, plus the settings page's `PING`. */
export const KNOWN_TRIGGERS = [
  "BOOKING_CREATED",
  "BOOKING_PAYMENT_INITIATED",
  "BOOKING_PAID",
  "BOOKING_RESCHEDULED",
  "BOOKING_REQUESTED",
  "BOOKING_CANCELLED",
  "BOOKING_REJECTED",
  "BOOKING_NO_SHOW_UPDATED",
  "BOOKING_LOCATION_UPDATED",
  "BOOKING_REASSIGNED",
  "FORM_SUBMITTED",
  "FORM_SUBMITTED_NO_EVENT",
  "ROUTING_FORM_FALLBACK_HIT",
  "MEETING_ENDED",
  "MEETING_STARTED",
  "RECORDING_READY",
  "RECORDING_TRANSCRIPTION_GENERATED",
  "INSTANT_MEETING",
  "INSTANT_MEETING_ACCEPTED",
  "OOO_CREATED",
  "AFTER_HOSTS_CAL_VIDEO_NO_SHOW",
  "AFTER_GUESTS_CAL_VIDEO_NO_SHOW",
  "DELEGATION_CREDENTIAL_ERROR",
  "DELEGATION_CREDENTIAL_SECRET_ROTATION_FAILED",
  "DELEGATION_CREDENTIAL_ROTATION_REQUIRED",
  "DELEGATION_CREDENTIAL_SECRET_ROTATED",
  "WRONG_ASSIGNMENT_REPORT",
  "CALENDAR_ENTRY_REJECTED",
  "PING",
] as const;
export type Trigger = typeof KNOWN_TRIGGERS[number];

/** Triggers whose payload is the common booking payload (§3.2 of the notes). */
export const BOOKING_TRIGGERS = [
  "BOOKING_CREATED",
  "BOOKING_PAYMENT_INITIATED",
  "BOOKING_PAID",
  "BOOKING_RESCHEDULED",
  "BOOKING_REQUESTED",
  "BOOKING_CANCELLED",
  "BOOKING_REJECTED",
  "BOOKING_LOCATION_UPDATED",
  "BOOKING_REASSIGNED",
] as const satisfies readonly Trigger[];
export type BookingTrigger = typeof BOOKING_TRIGGERS[number];

/** Cal.com writes ISO times as `…Z`, `…+00:00` or with milliseconds; we keep one UTC form. */
export const isoTime = z.string().refine(
  (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) && !Number.isNaN(Date.parse(s)),
  "not an ISO-8601 time",
).transform((s) => new Date(s).toISOString());

const optionalText = z.string().nullish().catch(undefined).transform((s) => s ?? undefined);

export const personSchema = z.object({
  name: z.string().nullish().transform((s) => s ?? ""),
  email: z.string(),
  timeZone: optionalText,
});

/** A booking-form answer: `{label, value}`; `location.value` is itself `{value, optionValue}`. */
const responseSchema = z.object({ label: z.string().catch(""), value: z.unknown() }).catch({
  label: "",
  value: undefined,
});

export const bookingPayloadSchema = z.object({
  uid: z.string().min(1),
  bookingId: z.number().nullish().catch(undefined),
  title: z.string().catch(""),
  type: optionalText,
  eventTitle: optionalText,
  eventTypeId: z.number().nullish().catch(undefined),
  startTime: isoTime,
  endTime: isoTime,
  // Cal.com's builder sends `{...evt.organizer, utcOffset}`: just `{utcOffset}` when the event
  // has no organizer. Emails and the projection manage without one.
  organizer: personSchema.nullish().catch(undefined),
  attendees: z.array(personSchema),
  location: optionalText,
  description: optionalText,
  additionalNotes: optionalText,
  status: optionalText,
  bookerUrl: optionalText,
  iCalSequence: z.number().nullish().catch(undefined),
  metadata: z.object({ videoCallUrl: optionalText }).nullish().catch(undefined),
  videoCallData: z.object({ url: optionalText }).nullish().catch(undefined),
  responses: z.record(z.string(), responseSchema).nullish().catch(undefined),
  rescheduleUid: optionalText,
  rescheduleStartTime: isoTime.nullish().catch(undefined),
  rescheduleEndTime: isoTime.nullish().catch(undefined),
  rescheduledBy: optionalText,
  cancellationReason: optionalText,
  cancelledBy: optionalText,
  rejectionReason: optionalText,
  requestReschedule: z.boolean().nullish().catch(undefined),
});
export type BookingPayload = z.infer<typeof bookingPayloadSchema>;

/** MEETING_STARTED/ENDED carry a Booking row, flat or wrapped; the host is `user` there. */
export const meetingPayloadSchema = z.object({
  uid: z.string().min(1),
  title: z.string().catch(""),
  startTime: isoTime,
  endTime: isoTime,
  user: personSchema.nullish().catch(undefined),
  organizer: personSchema.nullish().catch(undefined),
  attendees: z.array(personSchema).catch([]),
  location: optionalText,
});

export const noShowPayloadSchema = z.object({
  bookingUid: z.string().min(1),
  message: optionalText,
  attendees: z.array(z.object({ email: z.string(), noShow: z.boolean() })),
});

/** The newer builder copies each answer into the payload by field name, which may be `formId`. */
export const formPayloadSchema = z.object({
  formId: z.string().catch(""),
  formName: z.string().catch(""),
});

/** The envelope: `{triggerEvent, createdAt, payload}`; MEETING_* send the booking flat instead. */
export const envelopeSchema = z.object({
  triggerEvent: z.string().min(1),
  createdAt: isoTime.optional().catch(undefined),
  payload: z.unknown().optional(),
});
