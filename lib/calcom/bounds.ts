/**
 * Size bounds on what we keep from a payload. The raw body is always stored whole; the parsed
 * facts end up in KV keys (≤ 2 KiB) and in one booking value (≤ 64 KiB, history included), so
 * hostile or absurd values (a 1 MB uid, a 500 KB attendee name, fifty 2,000-character answers)
 * must never make the ingest commit fail. Real Cal.com payloads are far inside every bound.
 * @module
 */
import type { Answer, BookingFacts, Person } from "./event.ts";

/** Cal.com uids are 22–36 characters; anything near a KV key's size is not one. */
export const MAX_UID_LENGTH = 200;
/** Bookings keep this many attendees (the count is kept separately). */
export const STORED_ATTENDEES = 25;
/** Worst-case serialised size of the facts (two bytes a character), leaving room for history. */
const FACTS_BUDGET_BYTES = 32_000;

export const uidFits = (uid: string | undefined) =>
  uid === undefined || uid.length <= MAX_UID_LENGTH;

export function clip(text: string, max: number): string;
export function clip(text: string | undefined, max: number): string | undefined;
export function clip(text: string | undefined, max: number): string | undefined {
  return text === undefined || text.length <= max ? text : text.slice(0, max);
}

export function boundPerson(p: Person): Person {
  return { name: clip(p.name, 100), email: clip(p.email, 254), timeZone: clip(p.timeZone, 64) };
}

function answerSize(a: Answer): number {
  return 2 * (a.field.length + a.label.length + a.value.length) + 32;
}

function factsSize(f: BookingFacts): number {
  let size = 0;
  for (const value of Object.values(f)) if (typeof value === "string") size += 2 * value.length;
  for (const p of [f.organizer, ...f.attendees.slice(0, STORED_ATTENDEES)]) {
    if (p) size += 2 * (p.name.length + p.email.length + (p.timeZone?.length ?? 0)) + 32;
  }
  return f.answers.reduce((n, a) => n + answerSize(a), size);
}

/**
 * Caps every free-text field, then drops answers from the end (and shortens the notes) until
 * the facts fit their budget. Attendees stay complete: their number is a fact too.
 */
export function boundFacts(f: BookingFacts): BookingFacts {
  const bounded: BookingFacts = {
    ...f,
    title: clip(f.title, 500),
    eventType: clip(f.eventType, 200),
    organizer: f.organizer && boundPerson(f.organizer),
    attendees: f.attendees.map(boundPerson),
    location: clip(f.location, 1000),
    meetingUrl: clip(f.meetingUrl, 1000),
    notes: clip(f.notes, 4000),
    calcomStatus: clip(f.calcomStatus, 50),
    bookerUrl: clip(f.bookerUrl, 1000),
    rescheduledBy: clip(f.rescheduledBy, 254),
    cancellationReason: clip(f.cancellationReason, 1000),
    cancelledBy: clip(f.cancelledBy, 254),
    rejectionReason: clip(f.rejectionReason, 1000),
    answers: f.answers.map((a) => ({
      field: clip(a.field, 100),
      label: clip(a.label, 200),
      value: a.value,
    })),
  };
  let size = factsSize(bounded);
  while (size > FACTS_BUDGET_BYTES && bounded.answers.length > 0) {
    size -= answerSize(bounded.answers.pop()!);
  }
  if (size > FACTS_BUDGET_BYTES) bounded.notes = clip(bounded.notes, 200);
  return bounded;
}
