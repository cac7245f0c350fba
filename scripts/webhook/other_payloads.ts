/**
 * Payloads of the triggers that are not the common booking payload: forms, recordings, out of
 * office, instant meetings, Cal Video no-shows, reports, delegation credentials and the settings
 * page's PING. Shapes from shared/notes/calcom-webhooks.md §3.3–§3.9; where Cal.com documents no
 * shape (CALENDAR_ENTRY_REJECTED, the rotation events) a plausible one stands in, which the
 * receiver stores as it stores any signed body.
 * @module
 */
import type { Booking } from "./booking_payload.ts";
import {
  BOOKER,
  EVENT_TYPE,
  GUEST,
  isoSeconds,
  numericId,
  ORGANIZER,
  STAND_IN_HOST,
} from "./sample.ts";

type Payload = Record<string, unknown>;

export function noShowUpdated(b: Booking): Payload {
  return {
    message: `${BOOKER.email} marked as no-show`,
    attendees: [{ email: BOOKER.email, noShow: true }],
    bookingUid: b.uid,
    bookingId: b.bookingId,
  };
}

const FORM_ANSWERS = { "Which service do you need?": "Kitchen renovation", "Budget": "10-20k" };

/** FORM_SUBMITTED(_NO_EVENT): answers at the root for backwards compatibility, and in `payload`. */
export function formRootAnswers(): Payload {
  return { ...FORM_ANSWERS };
}

export function formSubmitted(noEvent: boolean): Payload {
  const responses = Object.fromEntries(
    Object.entries(FORM_ANSWERS).map(([label, value]) => [label, { value, response: value }]),
  );
  const payload: Payload = {
    formId: crypto.randomUUID(),
    formName: "New client intake",
    teamId: null,
    responses,
  };
  if (noEvent) {
    payload.redirect = { type: "eventTypeRedirectUrl", value: `morgan-reyes/${EVENT_TYPE.slug}` };
    payload.responseId = numericId();
  }
  return payload;
}

export function routingFallback(): Payload {
  return {
    ...formSubmitted(false),
    fallbackAction: { type: "customPageMessage", value: "Thanks" },
  };
}

export function recording(b: Booking, transcription: boolean): Payload {
  const base = {
    type: EVENT_TYPE.slug,
    title: EVENT_TYPE.title,
    startTime: isoSeconds(b.start),
    endTime: isoSeconds(b.end),
    organizer: ORGANIZER,
    attendees: [BOOKER, GUEST],
    uid: b.uid,
    customReplyToEmail: null,
  };
  const link = `https://recordings.example.com/${b.uid}`;
  if (!transcription) return { ...base, downloadLink: `${link}.mp4` };
  const transcripts = ["json", "srt", "txt", "vtt"].map((format) => ({
    format,
    link: `${link}.${format}`,
  }));
  return { ...base, downloadLinks: { transcription: transcripts, recording: `${link}.mp4` } };
}

export function instantMeeting(b: Booking): Payload {
  return {
    triggerEvent: "INSTANT_MEETING",
    uid: b.uid,
    responses: {
      name: { value: BOOKER.name },
      email: { value: BOOKER.email },
      notes: { value: "Quick question about the quote" },
      guests: { value: [] },
    },
    connectAndJoinUrl: `https://cal.example.com/connect-and-join?token=${crypto.randomUUID()}`,
    eventTypeId: EVENT_TYPE.id,
    eventTypeTitle: EVENT_TYPE.title,
    customInputs: {},
  };
}

export function outOfOffice(now: Date): Payload {
  const start = new Date(now.getTime() + 7 * 86_400_000);
  const end = new Date(start.getTime() + 5 * 86_400_000);
  const person = (
    { id, name, username, timeZone, email }: typeof ORGANIZER | typeof STAND_IN_HOST,
  ) => ({ id, name, username, timeZone, email });
  return {
    oooEntry: {
      id: numericId(),
      start: start.toISOString(),
      end: end.toISOString(),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      notes: "Annual leave",
      reason: { emoji: "🏝️", reason: "Vacation" },
      reasonId: 1,
      user: person(ORGANIZER),
      toUser: person(STAND_IN_HOST),
      uuid: crypto.randomUUID(),
    },
  };
}

export function calVideoNoShow(b: Booking, hosts: boolean): Payload {
  const who = hosts ? { hostEmail: ORGANIZER.email } : { guests: [BOOKER.email] };
  return {
    title: EVENT_TYPE.title,
    bookingId: b.bookingId,
    bookingUid: b.uid,
    startTime: isoSeconds(b.start),
    endTime: isoSeconds(b.end),
    attendees: [BOOKER],
    participants: [],
    ...who,
    eventType: { id: EVENT_TYPE.id, teamId: null, parentId: null, calVideoSettings: null },
    webhook: {
      id: crypto.randomUUID(),
      subscriberUrl: "https://hooks.example.com/api/calcom-webhook",
      appId: null,
      time: 5,
      timeUnit: "MINUTE",
      eventTriggers: [hosts ? "AFTER_HOSTS_CAL_VIDEO_NO_SHOW" : "AFTER_GUESTS_CAL_VIDEO_NO_SHOW"],
      payloadTemplate: null,
    },
    message: hosts ? "Host did not join the call" : "Guests did not join the call",
  };
}

export function wrongAssignment(b: Booking): Payload {
  return {
    booking: {
      uid: b.uid,
      id: b.bookingId,
      title: EVENT_TYPE.title,
      startTime: isoSeconds(b.start),
      endTime: isoSeconds(b.end),
      status: "ACCEPTED",
      eventType: { id: EVENT_TYPE.id, title: EVENT_TYPE.title, slug: EVENT_TYPE.slug, teamId: 3 },
    },
    report: {
      reportedBy: { id: ORGANIZER.id, email: ORGANIZER.email, name: ORGANIZER.name },
      firstAssignmentReason: "Round robin",
      guest: BOOKER.email,
      host: { email: ORGANIZER.email, name: ORGANIZER.name },
      correctAssignee: STAND_IN_HOST.email,
      additionalNotes: "Kitchen projects go to Sam",
    },
  };
}

export function delegationCredential(trigger: string): Payload {
  const payload: Payload = {
    credential: { id: numericId(), type: "google_calendar", appId: "google-calendar" },
    user: { id: ORGANIZER.id, email: ORGANIZER.email, organizationId: 1 },
  };
  if (trigger === "DELEGATION_CREDENTIAL_ERROR") {
    payload.error = { type: "CalendarAppDelegationCredentialError", message: "Access revoked" };
  }
  return payload;
}

export function calendarEntryRejected(b: Booking): Payload {
  return {
    bookingUid: b.uid,
    bookingId: b.bookingId,
    calendar: { integration: "google_calendar", externalId: ORGANIZER.email },
    reason: "The calendar refused the event",
  };
}

/** The settings page's "Ping test" body (§3.9): a fixed test event, times set to now. */
export function ping(now: Date): Payload {
  const person = (name: string, email: string) => ({
    name,
    email,
    timeZone: "Europe/London",
    language: { locale: "en" },
    utcOffset: 0,
  });
  return {
    type: "Test",
    title: "Test trigger event",
    startTime: now.toISOString(),
    endTime: now.toISOString(),
    attendees: [{ ...person("John Doe", "jdoe@example.com") }],
    organizer: person("Cal", "no-reply@cal.com"),
  };
}
