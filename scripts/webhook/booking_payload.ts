/**
 * The common booking payload Cal.com sends for BOOKING_* triggers, and the flat Booking row of
 * MEETING_STARTED/ENDED, built around one {@link Booking} so a sequence can follow it.
 * Field set and value forms follow the shapes in shared/notes/calcom-webhooks.md §3.2 and §3.4.
 * @module
 */
import {
  BOOKER,
  BOOKER_URL,
  EVENT_TYPE,
  GUEST,
  isoOffset,
  isoSeconds,
  numericId,
  ORGANIZER,
  shortUid,
  upcomingSlot,
} from "./sample.ts";

/** One booking as the sender tracks it across create → reschedule → cancel. */
export interface Booking {
  uid: string;
  bookingId: number;
  start: Date;
  end: Date;
  iCalUID: string;
  iCalSequence: number;
  location: string;
}

export function newBooking(now = new Date(), uid = shortUid()): Booking {
  const { start, end } = upcomingSlot(now);
  return {
    uid,
    bookingId: numericId(),
    start,
    end,
    iCalUID: `${uid}@Cal.com`,
    iCalSequence: 0,
    location: "integrations:daily",
  };
}

/** The booking Cal.com creates when `from` is moved: a new uid and id, the next iCal sequence. */
export function rescheduledBooking(from: Booking, now = new Date()): Booking {
  const { start, end } = upcomingSlot(now);
  return {
    ...from,
    uid: shortUid(),
    bookingId: numericId(),
    start,
    end,
    iCalSequence: from.iCalSequence + 1,
  };
}

type Payload = Record<string, unknown>;

function responses(): Payload {
  return {
    name: { label: "your_name", value: BOOKER.name, isHidden: false },
    email: { label: "email_address", value: BOOKER.email, isHidden: false },
    location: {
      label: "location",
      value: { optionValue: "", value: "integrations:daily" },
      isHidden: false,
    },
    notes: {
      label: "additional_notes",
      value: "Would like to go over the renovation quote.",
      isHidden: false,
    },
    guests: { label: "additional_guests", value: [GUEST.email], isHidden: false },
  };
}

/** The fields every booking trigger shares; `times` picks Cal.com's format for that path. */
export function bookingPayload(b: Booking, times: "create" | "cancel" = "create"): Payload {
  const iso = times === "cancel" ? isoOffset : isoSeconds;
  return {
    bookerUrl: BOOKER_URL,
    type: EVENT_TYPE.slug,
    title: `${EVENT_TYPE.title} between ${ORGANIZER.name} and ${BOOKER.name}`,
    description: "Would like to go over the renovation quote.",
    additionalNotes: "Would like to go over the renovation quote.",
    customInputs: {},
    startTime: iso(b.start),
    endTime: iso(b.end),
    organizer: ORGANIZER,
    attendees: [BOOKER, GUEST],
    responses: responses(),
    userFieldsResponses: {},
    location: b.location,
    destinationCalendar: null,
    hideCalendarNotes: false,
    requiresConfirmation: false,
    eventTypeId: EVENT_TYPE.id,
    seatsShowAttendees: true,
    seatsPerTimeSlot: null,
    seatsShowAvailabilityCount: true,
    schedulingType: null,
    iCalUID: b.iCalUID,
    iCalSequence: b.iCalSequence,
    uid: b.uid,
    bookingId: b.bookingId,
    videoCallData: {
      type: "daily_video",
      id: b.uid,
      password: "",
      url: `https://meet.example.com/${b.uid}`,
    },
    appsStatus: [{ appName: "Cal Video", type: "daily_video", success: 1, failures: 0 }],
    eventTitle: EVENT_TYPE.title,
    eventDescription: "A first conversation about your project.",
    price: 0,
    currency: "usd",
    length: EVENT_TYPE.length,
    metadata: { videoCallUrl: `${BOOKER_URL}/video/${b.uid}` },
    status: "ACCEPTED",
  };
}

/** MEETING_STARTED/ENDED: the Booking row itself, which Cal.com sends flat (no envelope). */
export function meetingRow(b: Booking, now: Date): Payload {
  return {
    id: b.bookingId,
    uid: b.uid,
    idempotencyKey: crypto.randomUUID(),
    userId: ORGANIZER.id,
    userPrimaryEmail: ORGANIZER.email,
    eventTypeId: EVENT_TYPE.id,
    title: `${EVENT_TYPE.title} between ${ORGANIZER.name} and ${BOOKER.name}`,
    description: "",
    customInputs: {},
    responses: responses(),
    startTime: b.start.toISOString(),
    endTime: b.end.toISOString(),
    location: b.location,
    createdAt: new Date(now.getTime() - 86_400_000).toISOString(),
    updatedAt: now.toISOString(),
    status: "ACCEPTED",
    paid: false,
    cancellationReason: null,
    rejectionReason: null,
    rescheduled: null,
    fromReschedule: null,
    recurringEventId: null,
    metadata: {},
    iCalUID: b.iCalUID,
    iCalSequence: b.iCalSequence,
    noShowHost: false,
    creationSource: "WEBAPP",
    user: {
      email: ORGANIZER.email,
      name: ORGANIZER.name,
      timeZone: ORGANIZER.timeZone,
      username: ORGANIZER.username,
    },
    attendees: [BOOKER, GUEST].map((a, i) => ({
      id: b.bookingId * 10 + i,
      email: a.email,
      name: a.name,
      timeZone: a.timeZone,
      phoneNumber: null,
      locale: "en",
      bookingId: b.bookingId,
      noShow: false,
    })),
    payment: [],
    references: [],
  };
}
