/**
 * Seated events: when one attendee gives up their seat, Cal.com
 * (packages/features/bookings/lib/handleSeats/cancel/cancelAttendeeSeat.ts) sends
 * BOOKING_CANCELLED with the booking's own uid, status "CANCELLED" and only the leaving
 * attendee, spread from their stored row (numeric `id`, `bookingId`). The booking itself stays
 * booked; only the last seat (or a host's cancel) cancels it, with attendees built without a row.
 */
import assert from "node:assert/strict";
import { composeDeliveryEmail } from "@/lib/email/renderer.ts";
import { getBooking } from "@/lib/store/bookings.ts";
import { listBookingDeliveries } from "@/lib/store/deliveries.ts";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { calcomPerson, fixtureJson, type Json, signedWebhookRequest } from "./helpers/calcom.ts";
import { kvProblems } from "./helpers/kv_invariants.ts";

const START = { startTime: "2025-09-01T10:00:00Z", endTime: "2025-09-01T11:00:00Z" };
const SEATS = { seatsPerTimeSlot: 5, seatsShowAttendees: false };

const ana = calcomPerson("Ana Seat", "ana@example.com");
const ben = calcomPerson("Ben Seat", "ben@example.com");

/** The leaving attendee as cancelAttendeeSeat sends it: the stored Attendee row, spread. */
const seatRow = (p: ReturnType<typeof calcomPerson>, id: number) => ({
  ...p,
  id,
  bookingId: 77,
  locale: "de",
  phoneNumber: null,
  noShow: false,
});

function envelope(trigger: string, createdAt: string, payload: Json): string {
  const base =
    fixtureJson(trigger === "BOOKING_CANCELLED" ? "BOOKING_CANCELLED" : "BOOKING_CREATED")
      .payload;
  return JSON.stringify({ triggerEvent: trigger, createdAt, payload: { ...base, ...payload } });
}

/** One seat booked: only that seat's attendee is listed (documented for seated events). */
const seatBooked = (uid: string, who: ReturnType<typeof calcomPerson>, at: string) =>
  envelope("BOOKING_CREATED", at, {
    uid,
    ...START,
    ...SEATS,
    status: "ACCEPTED",
    attendees: [{ ...who, bookingSeat: { referenceUid: `seat-${who.email}`, data: {} } }],
  });

/** cancelAttendeeSeat's payload: same uid, only the leaving attendee, no cancelledBy. */
const seatCancelled = (uid: string, who: Json, at: string, reason?: string) =>
  envelope("BOOKING_CANCELLED", at, {
    uid,
    ...START,
    ...SEATS,
    status: "CANCELLED",
    cancellationReason: reason ?? null,
    cancelledBy: undefined,
    attendees: [who],
  });

/** handleCancelBooking's whole-booking payload: attendees built as {name, email, ...}. */
const bookingCancelled = (uid: string, attendees: Json[], at: string, seats: Json = SEATS) =>
  envelope("BOOKING_CANCELLED", at, {
    uid,
    ...START,
    ...seats,
    status: "CANCELLED",
    cancellationReason: "Host cancelled",
    cancelledBy: "host@example.com",
    attendees,
  });

async function post(app: TestApp, body: string): Promise<void> {
  const res = await app.request(await signedWebhookRequest(body));
  assert.equal(res.status, 200, await res.text());
}

async function emailsFor(app: TestApp, uid: string, trigger: string) {
  const deliveries = (await listBookingDeliveries(app.kv, uid)).filter((d) =>
    d.trigger === trigger
  );
  const emails = [];
  for (const d of deliveries) {
    const result = await composeDeliveryEmail(app.kv, app.services.config, d, new Date());
    assert.ok(result.ok, "the staff email renders");
    emails.push(result.email);
  }
  return emails;
}

Deno.test("[booking:seats] one seat cancelled: the booking stays booked, the seat is recorded", async () => {
  const app = await startTestApp();
  const uid = crypto.randomUUID();
  await post(app, seatBooked(uid, ana, "2025-08-01T09:00:00.000Z"));
  await post(app, seatBooked(uid, ben, "2025-08-01T09:05:00.000Z"));
  await post(app, seatCancelled(uid, seatRow(ben, 2), "2025-08-02T09:00:00.000Z", "Ill"));

  const booking = await getBooking(app.kv, uid);
  assert.equal(booking?.status, "booked");
  assert.deepEqual(booking?.cancelledSeats, ["ben@example.com"]);
  assert.equal(booking?.cancellation, undefined);
  const last = booking?.history.at(-1);
  assert.equal(last?.trigger, "BOOKING_CANCELLED");
  assert.equal(last?.seatCancelled, true);
  assert.equal(last?.effect, undefined);
  // The seat event lists only who left: it does not replace the booking's facts.
  assert.equal(booking?.facts?.calcomStatus, "ACCEPTED");
  assert.deepEqual(booking?.facts?.attendees.map((a) => a.email), ["ben@example.com"]);
  app.close();
});

Deno.test("[booking:seats] the staff email names who gave up their seat and cancels no calendar entry", async () => {
  const app = await startTestApp();
  const uid = crypto.randomUUID();
  await post(app, seatBooked(uid, ana, "2025-08-01T09:00:00.000Z"));
  await post(app, seatCancelled(uid, seatRow(ben, 2), "2025-08-02T09:00:00.000Z", "Ill"));
  const [email, ...more] = await emailsFor(app, uid, "BOOKING_CANCELLED");
  assert.equal(more.length, 0);
  assert.match(email.subject, /^Seat cancelled: Ben Seat/);
  assert.match(email.text, /cancelled their seat/);
  assert.match(email.text, /ben@example\.com/);
  assert.match(email.text, /Ill/);
  assert.equal(email.calendar, undefined, "no CANCEL .ics: the event still takes place");
  app.close();
});

Deno.test("[booking:seats] a seat cancel that arrives first does not cancel the booking", async () => {
  const app = await startTestApp();
  const uid = crypto.randomUUID();
  await post(app, seatCancelled(uid, seatRow(ben, 2), "2025-08-02T09:00:00.000Z"));
  assert.equal((await getBooking(app.kv, uid))?.status, "booked");
  await post(app, seatBooked(uid, ana, "2025-08-01T09:00:00.000Z"));
  const booking = await getBooking(app.kv, uid);
  assert.equal(booking?.status, "booked");
  assert.deepEqual(booking?.facts?.attendees.map((a) => a.email), ["ana@example.com"]);
  assert.deepEqual(booking?.cancelledSeats, ["ben@example.com"]);
  app.close();
});

Deno.test("[booking:seats] the last seat or a host's cancel still cancels the whole booking", async (t) => {
  const app = await startTestApp();
  await t.step("last attendee leaves (whole-booking payload, one attendee)", async () => {
    const uid = crypto.randomUUID();
    await post(app, seatBooked(uid, ana, "2025-08-01T09:00:00.000Z"));
    await post(app, seatCancelled(uid, seatRow(ben, 2), "2025-08-02T09:00:00.000Z"));
    await post(app, bookingCancelled(uid, [ana], "2025-08-03T09:00:00.000Z"));
    const booking = await getBooking(app.kv, uid);
    assert.equal(booking?.status, "cancelled");
    assert.equal(booking?.cancellation?.reason, "Host cancelled");
    assert.deepEqual(booking?.cancelledSeats, ["ben@example.com"]);
  });
  await t.step("host cancels a seated booking with several attendees", async () => {
    const uid = crypto.randomUUID();
    await post(app, seatBooked(uid, ana, "2025-08-01T09:00:00.000Z"));
    await post(app, bookingCancelled(uid, [ana, ben], "2025-08-03T09:00:00.000Z"));
    assert.equal((await getBooking(app.kv, uid))?.status, "cancelled");
  });
  await t.step("an unseated event with a row-shaped attendee is a whole cancel", async () => {
    const uid = crypto.randomUUID();
    const unseated = { seatsPerTimeSlot: null, seatsShowAttendees: null };
    await post(app, bookingCancelled(uid, [seatRow(ana, 1)], "2025-08-03T09:00:00.000Z", unseated));
    assert.equal((await getBooking(app.kv, uid))?.status, "cancelled");
  });
  app.close();
});

Deno.test("[booking:seats] repeated seat cancels keep the latest few distinct emails", async () => {
  const app = await startTestApp();
  const uid = crypto.randomUUID();
  await post(app, seatBooked(uid, ana, "2025-08-01T09:00:00.000Z"));
  for (let i = 0; i < 12; i++) {
    const who = calcomPerson(`P${i}`, `p${i}@example.com`);
    await post(app, seatCancelled(uid, seatRow(who, i + 10), `2025-08-02T09:00:${10 + i}.000Z`));
  }
  await post(app, seatCancelled(uid, seatRow(ben, 2), "2025-08-02T10:00:00.000Z"));
  await post(app, seatCancelled(uid, seatRow(ben, 2), "2025-08-02T10:01:00.000Z"));
  const booking = await getBooking(app.kv, uid);
  assert.equal(booking?.status, "booked");
  assert.equal(booking?.cancelledSeats?.length, 10);
  assert.equal(booking?.cancelledSeats?.at(-1), "ben@example.com");
  assert.equal(booking?.cancelledSeats?.filter((e) => e === "ben@example.com").length, 1);
  app.close();
});

Deno.test("[booking:seats] each seat leaving and the final cancellation each email staff once", async () => {
  const app = await startTestApp();
  const uid = crypto.randomUUID();
  const carl = calcomPerson("Carl Seat", "carl@example.com");
  for (const [n, who] of [ana, ben, carl].entries()) {
    await post(app, seatBooked(uid, who, `2025-08-01T09:0${n}:00.000Z`));
  }
  await post(app, seatCancelled(uid, seatRow(ben, 2), "2025-08-02T09:00:00.000Z"));
  // Cal.com's retry of the same seat's cancellation (new createdAt): no second email.
  await post(app, seatCancelled(uid, seatRow(ben, 2), "2025-08-02T09:00:05.000Z"));
  await post(app, seatCancelled(uid, seatRow(carl, 3), "2025-08-02T10:00:00.000Z"));
  await post(app, bookingCancelled(uid, [ana], "2025-08-03T09:00:00.000Z"));
  await post(app, bookingCancelled(uid, [ana], "2025-08-03T09:00:07.000Z"));

  const emails = await emailsFor(app, uid, "BOOKING_CANCELLED");
  assert.equal(emails.length, 3, "ben's seat, carl's seat, the whole booking");
  assert.equal(emails.filter((e) => e.subject.startsWith("Seat cancelled")).length, 2);
  assert.equal((await getBooking(app.kv, uid))?.status, "cancelled");
  assert.deepEqual((await kvProblems(app.kv)).problems, []);
  app.close();
});
