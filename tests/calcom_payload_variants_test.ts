/**
 * Cal.com payloads this app has no fixture for: the documented shapes with optional parts
 * missing, null, re-typed or extended, posted signed through the real route. A real booking event
 * must be recognised (200, projected, one email for notify triggers); only bodies that are not a
 * Cal.com envelope get 202. Shapes: shared/notes/calcom-webhooks.md and its fixtures.
 */
import assert from "node:assert/strict";
import { composeDeliveryEmail } from "@/lib/email/renderer.ts";
import { getBooking } from "@/lib/store/bookings.ts";
import type { BookingRecord } from "@/lib/store/booking_projection.ts";
import { listBookingDeliveries } from "@/lib/store/deliveries.ts";
import { getEvent } from "@/lib/store/events.ts";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { calcomPerson, fixtureJson, type Json, signedWebhookRequest } from "./helpers/calcom.ts";

/** NOTIFY_EVENTS' default (lib/config.ts). */
const NOTIFY = ["BOOKING_CREATED", "BOOKING_RESCHEDULED", "BOOKING_CANCELLED", "BOOKING_REQUESTED"];
const SENT_AT = "2025-06-01T09:00:00.000Z";
const TIMES = { startTime: "2025-07-01T10:00:00.000Z", endTime: "2025-07-01T10:30:00.000Z" };

interface Variant {
  name: string;
  body: string;
  expect: 200 | 202;
  /** The booking the event is about: its projection must exist. */
  uid?: string;
  /** A booking event: the projection carries its facts and notify triggers queue one email. */
  facts?: boolean;
  /** `null`: no X-Cal-Webhook-Version header (older self-hosted Cal.com). */
  version?: string | null;
  contentType?: string;
  check?: (booking: BookingRecord) => void;
}

let count = 0;
const freshUid = () => `v${++count}-${crypto.randomUUID().slice(0, 13)}`;
const envelope = (trigger: string, payload: unknown, root: Json = {}) =>
  JSON.stringify({ triggerEvent: trigger, createdAt: SENT_AT, payload, ...root });

type BookingFixture = "BOOKING_CREATED" | "BOOKING_RESCHEDULED" | "BOOKING_CANCELLED";

/**
 * A booking event from a fixture's payload with a fresh uid (and old uid), then `changes`
 * applied: a function edits in place, an object overrides (`undefined` drops the key).
 */
function booking(
  name: string,
  trigger: string,
  changes: Record<string, unknown> | ((p: Json) => void),
  options: { fixture?: BookingFixture; check?: Variant["check"] } = {},
): Variant {
  let p = structuredClone(fixtureJson(options.fixture ?? "BOOKING_CREATED").payload);
  p.uid = freshUid();
  if (p.rescheduleUid) p.rescheduleUid = freshUid();
  if (typeof changes === "function") changes(p);
  else p = { ...p, ...changes };
  return { name, body: envelope(trigger, p), expect: 200, uid: p.uid, facts: true, ...options };
}

const answer = (b: BookingRecord, field: string) =>
  b.facts?.answers.find((a) => a.field === field)?.value;
const RESCHEDULED = { fixture: "BOOKING_RESCHEDULED" } as const;
const CANCELLED = { fixture: "BOOKING_CANCELLED" } as const;
const gone = undefined;

const BOOKING_VARIANTS: Variant[] = [
  booking("no attendees", "BOOKING_CREATED", { attendees: [] }),
  booking("organizer without id, timeZone, language", "BOOKING_CREATED", {
    organizer: { name: "Org", email: "org@example.com", utcOffset: 0 },
  }),
  booking("organizer only {utcOffset} (event without one)", "BOOKING_CREATED", {
    organizer: { utcOffset: 0 },
  }),
  booking("organizer null", "BOOKING_CANCELLED", { organizer: null }, CANCELLED),
  booking("no location", "BOOKING_CREATED", { location: gone }),
  booking("location null", "BOOKING_REQUESTED", { location: null }),
  booking("no responses, userFieldsResponses, customInputs", "BOOKING_CREATED", {
    responses: gone,
    userFieldsResponses: gone,
    customInputs: gone,
  }),
  booking("responses null", "BOOKING_CREATED", { responses: null }),
  booking("uid but no bookingId or eventTypeId", "BOOKING_CREATED", {
    bookingId: gone,
    eventTypeId: gone,
  }),
  booking("bookingId and eventTypeId null", "BOOKING_CREATED", {
    bookingId: null,
    eventTypeId: null,
  }),
  booking("metadata null, no videoCallData", "BOOKING_CREATED", {
    metadata: null,
    videoCallData: gone,
  }),
  booking("price and currency absent", "BOOKING_CREATED", { price: gone, currency: gone }),
  booking("team event with hosts and assignment reason", "BOOKING_CREATED", {
    schedulingType: "ROUND_ROBIN",
    team: {
      id: 7,
      name: "Support",
      members: [calcomPerson("A", "a@x.example"), calcomPerson("B", "b@x.example")],
    },
    assignmentReason: [{ reasonEnum: "ROUND_ROBIN", reasonString: "least recently booked" }],
  }),
  booking("seat: only the seat's attendee, with bookingSeat", "BOOKING_CREATED", (p) => {
    p.seatsPerTimeSlot = 10;
    p.seatsShowAttendees = false;
    p.attendees = [{ ...p.attendees[0], bookingSeat: { referenceUid: "seat-1", data: {} } }];
  }),
  booking("seats shown: sixty attendees", "BOOKING_CREATED", {
    seatsShowAttendees: true,
    attendees: Array.from({ length: 60 }, (_, i) => calcomPerson(`Guest ${i}`, `g${i}@x.example`)),
  }, { check: (b) => assert.equal(b.attendeeCount, 60) }),
  booking("answers of every value type", "BOOKING_CREATED", {
    responses: {
      name: { label: "your_name", value: "Ana" },
      guests: { label: "guests", value: ["x@x.example", "y@x.example"] },
      location: { label: "location", value: { value: "inPerson", optionValue: "Main St 1" } },
      consent: { label: "consent", value: true },
      seats: { label: "seats", value: 3 },
      fullName: { label: "name", value: { firstName: "Ana", lastName: "Li" } },
      empty: { label: "empty", value: null },
      hidden: { label: "hidden", isHidden: true },
      bare: "not an object",
    },
  }, {
    check: (b) => {
      assert.equal(answer(b, "guests"), "x@x.example, y@x.example");
      assert.equal(answer(b, "location"), "inPerson Main St 1");
      assert.equal(answer(b, "consent"), "true");
      assert.equal(answer(b, "seats"), "3");
    },
  }),
  booking("times with +00:00", "BOOKING_CREATED", {
    startTime: "2025-07-01T10:00:00+00:00",
    endTime: "2025-07-01T10:30:00+00:00",
  }, { check: (b) => assert.equal(b.facts?.startTime, TIMES.startTime) }),
  booking("times with milliseconds and offsets", "BOOKING_CREATED", {
    startTime: "2025-07-01T12:00:00.000+02:00",
    endTime: "2025-07-01T05:30:00.000-05:00",
  }, { check: (b) => assert.equal(b.facts?.endTime, TIMES.endTime) }),
  booking("unknown fields everywhere, ICS of version 2026-07-27", "BOOKING_CREATED", (p) => {
    p.brandNew = { deep: [1, { x: null }] };
    p.organizer.brandNew = [1];
    p.attendees[0].brandNew = { a: 1 };
    p.responses.name.brandNew = true;
    p.metadata.brandNew = 5;
    p.attendeeIcsContent = p.organizerIcsContent = "BEGIN:VCALENDAR\r\nEND:VCALENDAR";
  }),
  booking("numbers as strings", "BOOKING_CREATED", {
    bookingId: "100",
    eventTypeId: "123",
    iCalSequence: "1",
    length: "15",
    price: "25.00",
  }),
  booking("long strings", "BOOKING_CREATED", (p) => {
    p.title = "T".repeat(20_000);
    p.description = "D".repeat(200_000);
    p.attendees[0].name = "N".repeat(5_000);
    p.location = "L".repeat(10_000);
  }),
  booking("non-Latin names and text", "BOOKING_CREATED", (p) => {
    p.title = "相談 – استشارة – Консультация 🗓️";
    p.attendees[0].name = "山田 太郎";
    p.attendees[1].name = "محمد";
    p.organizer.name = "Žofia Ñúñez";
    p.responses.notes = { label: "备注", value: "请准时 👍" };
  }, { check: (b) => assert.equal(b.facts?.attendees[0].name, "山田 太郎") }),
  booking("status in lower case", "BOOKING_CREATED", { status: "accepted" }),
  booking("status missing", "BOOKING_CREATED", { status: gone }),
  booking("requested, PENDING, oneTimePassword", "BOOKING_REQUESTED", {
    status: "PENDING",
    oneTimePassword: "0000-1111",
  }),
  booking("rejected with reason, .000Z times", "BOOKING_REJECTED", {
    status: "REJECTED",
    rejectionReason: "fully booked",
    ...TIMES,
  }),
  booking("rejected, reason null", "BOOKING_REJECTED", { rejectionReason: null }),
  booking("payment initiated", "BOOKING_PAYMENT_INITIATED", {
    paymentId: 9,
    paymentData: { amount: 2500 },
  }),
  booking("paid, payment metadata", "BOOKING_PAID", {
    paymentId: 9,
    metadata: { identifier: "cal.com", bookingId: 1, bookerEmail: "g@x.example", externalId: "p" },
  }),
  booking("location updated", "BOOKING_LOCATION_UPDATED", { location: "Main St 1" }),
  booking("reassigned", "BOOKING_REASSIGNED", (p) => p.organizer.email = "new@x.example"),
  booking("rescheduled (fixture shape)", "BOOKING_RESCHEDULED", {}, RESCHEDULED),
  booking("rescheduled by, old times with +00:00", "BOOKING_RESCHEDULED", {
    rescheduledBy: "guest@example.com",
    rescheduleStartTime: "2024-01-05T14:30:00+00:00",
    rescheduleEndTime: "2024-01-05T14:45:00+00:00",
  }, RESCHEDULED),
  booking("rescheduled, old uid and times null", "BOOKING_RESCHEDULED", {
    rescheduleUid: null,
    rescheduleStartTime: null,
    rescheduleEndTime: null,
    rescheduleId: gone,
  }, RESCHEDULED),
  booking("rescheduled seat keeps its uid", "BOOKING_RESCHEDULED", (p) => {
    p.rescheduleUid = p.uid;
  }, RESCHEDULED),
  booking("cancelled, reason, canceller, description null", "BOOKING_CANCELLED", {
    cancellationReason: null,
    cancelledBy: null,
    description: null,
  }, { ...CANCELLED, check: (b) => assert.equal(b.status, "cancelled") }),
  booking("cancelled by request-reschedule (older thin shape)", "BOOKING_CANCELLED", (p) => {
    for (const key of ["bookingId", "eventTypeId", "length", "iCalSequence", "eventTitle"]) {
      delete p[key];
    }
    delete p.status;
    delete p.organizer.id;
    p.cancellationReason = "Please reschedule. Sick";
    p.requestReschedule = true;
    p.rescheduleLink = "https://app.example.com/reschedule/x";
    p.rescheduleUid = p.uid;
  }, { ...CANCELLED, check: (b) => assert.equal(b.cancellation?.requestReschedule, true) }),
  booking("cancelled, destinationCalendar an object", "BOOKING_CANCELLED", {
    destinationCalendar: { id: 1, integration: "google_calendar", externalId: "x" },
  }, CANCELLED),
];

/** The other triggers' documented shapes: recognised, projected where they name a booking. */
function otherVariants(): Variant[] {
  const uid = freshUid();
  const meetingUid = freshUid();
  const thinUid = freshUid();
  const wrappedUid = freshUid();
  const rootUid = freshUid();
  const noShow = fixtureJson("BOOKING_NO_SHOW_UPDATED").payload;
  const { triggerEvent: _t, ...row } = fixtureJson("MEETING_ENDED");
  const form = fixtureJson("FORM_SUBMITTED");
  const base = fixtureJson("BOOKING_CREATED").payload;
  const people = { organizer: base.organizer, attendees: base.attendees };
  const v = (name: string, body: string, about?: string): Variant => ({
    name,
    body,
    expect: 200,
    uid: about,
  });
  // deno-fmt-ignore
  const noShowVideo = (trigger: string) =>
    v(trigger, envelope(trigger, { title: "Call", bookingId: 1, bookingUid: uid, ...TIMES, attendees: [], participants: [], hostEmail: "o@x.example", guests: [], message: "no show", eventType: { id: 1, teamId: null, parentId: null, calVideoSettings: null }, webhook: { id: "w", subscriberUrl: "https://x", time: 5, timeUnit: "MINUTE", eventTriggers: [trigger], payloadTemplate: null } }), uid);
  // One line per documented shape.
  // deno-fmt-ignore
  return [
    v("no-show fixture", envelope("BOOKING_NO_SHOW_UPDATED", { ...noShow, bookingUid: uid }), uid),
    v("no-show: several attendees, no bookingId", envelope("BOOKING_NO_SHOW_UPDATED", { message: "no_show_updated", bookingUid: uid, attendees: [{ email: "a@x.example", noShow: true }, { email: "b@x.example", noShow: false }] }), uid),
    v("no-show: none matched, noShowHost", envelope("BOOKING_NO_SHOW_UPDATED", { message: "", bookingUid: uid, attendees: [], noShowHost: true }), uid),
    v("MEETING_ENDED flat", JSON.stringify({ triggerEvent: "MEETING_ENDED", ...row, uid: meetingUid }), meetingUid),
    v("MEETING_STARTED flat, after confirmation (no title, no user)", JSON.stringify({ triggerEvent: "MEETING_STARTED", eventType: { id: 1 }, uid: thinUid, ...TIMES, metadata: {}, smsReminderNumber: null, description: null, attendees: [{ email: "g@x.example", name: "G", timeZone: "UTC", locale: "en" }], location: null, customInputs: null, id: 5 }), thinUid),
    v("MEETING_STARTED wrapped", envelope("MEETING_STARTED", { ...row, uid: wrappedUid }), wrappedUid),
    v("FORM_SUBMITTED fixture", JSON.stringify(form)),
    v("FORM_SUBMITTED, answers copied inside payload (one named formId)", envelope("FORM_SUBMITTED", { ...form.payload, "Where are you from": ["Here"], formId: ["a field named formId"], teamId: 4 })),
    v("FORM_SUBMITTED_NO_EVENT", envelope("FORM_SUBMITTED_NO_EVENT", { ...form.payload, redirect: { type: "customPageMessage", value: "hi" }, responseId: 12 })),
    v("RECORDING_READY (docs)", envelope("RECORDING_READY", { type: "30min", title: "Call", ...TIMES, ...people, uid, customReplyToEmail: null, downloadLink: "https://x/r.mp4" }), uid),
    v("RECORDING_READY (new builder)", envelope("RECORDING_READY", { downloadLink: "https://x" })),
    v("RECORDING_TRANSCRIPTION_GENERATED", envelope("RECORDING_TRANSCRIPTION_GENERATED", { downloadLinks: { transcription: [{ format: "vtt", link: "https://x" }], recording: "https://y" } })),
    v("INSTANT_MEETING", envelope("INSTANT_MEETING", { triggerEvent: "INSTANT_MEETING", uid: freshUid(), responses: { name: "Ana", email: "a@x.example", notes: "", guests: [] }, connectAndJoinUrl: "https://x", eventTypeId: 3, eventTypeTitle: "Now", customInputs: {} })),
    v("OOO_CREATED", envelope("OOO_CREATED", { oooEntry: { id: 1, start: SENT_AT, end: SENT_AT, createdAt: SENT_AT, updatedAt: SENT_AT, notes: null, reason: { emoji: "🏝️", reason: "vacation" }, reasonId: 1, user: { id: 1, name: "O", username: "o", timeZone: "UTC", email: "o@x.example" }, toUser: null, uuid: crypto.randomUUID() } })),
    noShowVideo("AFTER_HOSTS_CAL_VIDEO_NO_SHOW"),
    noShowVideo("AFTER_GUESTS_CAL_VIDEO_NO_SHOW"),
    v("AFTER_HOSTS_CAL_VIDEO_NO_SHOW (new builder)", envelope("AFTER_HOSTS_CAL_VIDEO_NO_SHOW", { bookingId: 1, webhook: { id: "w", time: 5, timeUnit: "MINUTE" } })),
    v("WRONG_ASSIGNMENT_REPORT", envelope("WRONG_ASSIGNMENT_REPORT", { booking: { uid, id: 1, title: "Call", ...TIMES, status: "ACCEPTED", eventType: null }, report: { reportedBy: { id: 1, email: "o@x.example", name: "O" }, guest: "g@x.example", host: { email: "h@x.example", name: "H" }, correctAssignee: null, additionalNotes: "" } }), uid),
    v("DELEGATION_CREDENTIAL_ERROR", envelope("DELEGATION_CREDENTIAL_ERROR", { error: { type: "x", message: "y" }, credential: { id: 1, type: "t", appId: "a" }, user: { id: 1, email: "o@x.example", organizationId: 2 } })),
    v("PING (the settings page's test body)", envelope("PING", { type: "Test", title: "Test trigger event", ...TIMES, attendees: [{ email: "jdoe@example.com", name: "John Doe", timeZone: "Europe/London", language: { locale: "en" }, utcOffset: 60 }], organizer: { name: "Cal", email: "no-reply@cal.com", timeZone: "Europe/London", language: { locale: "en" }, utcOffset: 60 } })),
    { ...v("extra keys at the root (generic sender)", envelope("BOOKING_CREATED", { ...base, uid: rootUid }, { "Your name": "Ana" }), rootUid), facts: true },
  ];
}

/** One booking body under each version header Cal.com sends, none, and a future one. */
const versionVariants = (): Variant[] =>
  ["2021-10-20", "2026-07-27", null, "2099-01-01"].map((version) => ({
    ...booking(`version header ${version ?? "absent"}`, "BOOKING_CREATED", {}),
    version,
  }));

/** Signed bodies that are not a Cal.com envelope: stored, 202, nothing projected. */
const UNRECOGNISABLE: Variant[] = [
  { name: "invalid JSON", body: '{"triggerEvent":"BOOKING_CREATED",', expect: 202 },
  { name: "JSON template whose output was invalid: false", body: "false", expect: 202 },
  { name: "JSON template without triggerEvent", body: '{"title":"Call","who":"Ana"}', expect: 202 },
  {
    name: "form-urlencoded template",
    body: "event=BOOKING_CREATED&title=Call",
    contentType: "application/x-www-form-urlencoded",
    expect: 202,
  },
  { name: "unknown future trigger", body: envelope("BOOKING_TELEPORTED", {}), expect: 202 },
  { name: "empty MEETING_ENDED body", body: "{}", expect: 202 },
  {
    name: "booking trigger with an empty uid",
    body: envelope("BOOKING_CREATED", { ...fixtureJson("BOOKING_CREATED").payload, uid: "" }),
    expect: 202,
  },
];

async function post(app: TestApp, v: Variant) {
  const req = await signedWebhookRequest(v.body, { contentType: v.contentType });
  if (v.version === null) req.headers.delete("x-cal-webhook-version");
  else if (v.version) req.headers.set("x-cal-webhook-version", v.version);
  const res = await app.request(req);
  return { status: res.status, json: await res.json() };
}

function triggerOf(body: string): string | undefined {
  try {
    return JSON.parse(body).triggerEvent;
  } catch {
    return undefined;
  }
}

async function assertHandled(app: TestApp, v: Variant) {
  const res = await post(app, v);
  assert.equal(res.status, v.expect, `${v.name}: ${JSON.stringify(res.json)}`);
  const event = await getEvent(app.kv, res.json.id);
  assert.equal(event?.recognised, v.expect === 200);
  if (v.version !== undefined) assert.equal(event?.webhookVersion, v.version ?? undefined);
  if (!v.uid) return;
  const trigger = triggerOf(v.body);
  const stored = await getBooking(app.kv, v.uid);
  assert.ok(stored, "booking projected");
  assert.ok(stored.history.some((h) => h.trigger === trigger));
  if (v.facts) assert.equal(stored.facts?.uid, v.uid);
  v.check?.(stored);
  const deliveries = await listBookingDeliveries(app.kv, v.uid);
  const expected = v.facts && NOTIFY.includes(trigger!) ? [[trigger, "queued"]] : [];
  assert.deepEqual(deliveries.map((d) => [d.trigger, d.status]), expected);
  for (const delivery of deliveries) {
    const email = await composeDeliveryEmail(app.kv, app.services.config, delivery, new Date());
    assert.ok(email.ok, "the staff email renders");
  }
}

Deno.test("[webhook:variants] real Cal.com shapes are recognised; only non-envelopes get 202", async (t) => {
  const app = await startTestApp();
  const variants = [
    ...BOOKING_VARIANTS,
    ...otherVariants(),
    ...versionVariants(),
    ...UNRECOGNISABLE,
  ];
  for (const v of variants) await t.step(v.name, () => assertHandled(app, v));
  app.close();
});
