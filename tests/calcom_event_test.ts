import assert from "node:assert/strict";
import { parseCalcomDelivery } from "@/lib/calcom/event.ts";
import { fixtureJson } from "./helpers/calcom.ts";

const parse = (value: unknown) =>
  parseCalcomDelivery(
    new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value)),
  );

Deno.test("[calcom] envelopes of every trigger family", async (t) => {
  const booking = fixtureJson("BOOKING_CREATED").payload;
  await t.step("times in every ISO form Cal.com uses become one UTC form", () => {
    for (
      const [start, expected] of [
        ["2024-01-01T10:00:00Z", "2024-01-01T10:00:00.000Z"],
        ["2024-01-01T10:00:00+00:00", "2024-01-01T10:00:00.000Z"],
        ["2024-01-01T15:00:00.000Z", "2024-01-01T15:00:00.000Z"],
        ["2024-01-01T12:00:00+02:00", "2024-01-01T10:00:00.000Z"],
      ]
    ) {
      const r = parse({
        triggerEvent: "BOOKING_CREATED",
        payload: { ...booking, startTime: start },
      });
      assert.ok(r.recognised && r.event.kind === "booking");
      assert.equal(r.event.booking.startTime, expected);
    }
  });
  await t.step("strict about what we use: no uid, bad times or attendees without email", () => {
    for (
      const broken of [
        { ...booking, uid: undefined },
        { ...booking, startTime: "tomorrow" },
        { ...booking, attendees: [{ name: "x" }] },
      ]
    ) {
      const r = parse({ triggerEvent: "BOOKING_CREATED", payload: broken });
      assert.equal(r.recognised, false);
    }
  });
  await t.step("lenient about the rest: unknown fields and odd optional values", () => {
    const r = parse({
      triggerEvent: "BOOKING_REQUESTED",
      createdAt: "2024-01-01T00:00:00Z",
      extraRoot: true,
      payload: {
        ...booking,
        brandNewField: { deep: [1] },
        eventTypeId: "not-a-number",
        metadata: 5,
      },
    });
    assert.ok(r.recognised && r.event.kind === "booking");
    assert.equal(r.event.booking.eventTypeId, undefined);
    // Cal.com sends `{utcOffset}` for an event without organizer: a booking all the same.
    const noOrganizer = parse({
      triggerEvent: "BOOKING_CREATED",
      payload: { ...booking, organizer: null },
    });
    assert.ok(noOrganizer.recognised && noOrganizer.event.kind === "booking");
    assert.equal(noOrganizer.event.booking.organizer, undefined);
  });
  await t.step("every booking trigger is a booking event", () => {
    for (
      const trigger of [
        "BOOKING_CREATED",
        "BOOKING_REQUESTED",
        "BOOKING_REJECTED",
        "BOOKING_PAID",
        "BOOKING_PAYMENT_INITIATED",
        "BOOKING_LOCATION_UPDATED",
        "BOOKING_REASSIGNED",
        "BOOKING_RESCHEDULED",
        "BOOKING_CANCELLED",
      ]
    ) {
      const r = parse({ triggerEvent: trigger, payload: booking });
      assert.ok(r.recognised && r.event.kind === "booking", trigger);
    }
  });
  await t.step("MEETING_* flat and wrapped", () => {
    const flat = fixtureJson("MEETING_ENDED");
    const a = parse(flat);
    assert.ok(a.recognised && a.event.kind === "meeting");
    assert.equal(a.event.createdAt, undefined); // the flat body's createdAt is the booking row's
    assert.equal(a.event.booking.organizer?.email, "organizer@example.com");
    const { triggerEvent: _t, ...row } = flat;
    const b = parse({
      triggerEvent: "MEETING_STARTED",
      createdAt: "2024-01-01T10:00:00Z",
      payload: row,
    });
    assert.ok(b.recognised && b.event.kind === "meeting");
    assert.equal(b.event.createdAt, "2024-01-01T10:00:00.000Z");
  });
  await t.step("FORM_SUBMITTED with answers at the root", () => {
    const r = parse(fixtureJson("FORM_SUBMITTED"));
    assert.ok(r.recognised && r.event.kind === "form");
    assert.equal(r.event.formName, "Customer Intake Form");
  });
  await t.step("recordings, OOO and reports name their booking where they can", () => {
    const rec = parse({
      triggerEvent: "RECORDING_READY",
      payload: { downloadLink: "https://x", uid: "b1" },
    });
    assert.ok(rec.recognised && rec.event.kind === "other");
    assert.equal(rec.event.bookingUid, "b1");
    const transcript = parse({
      triggerEvent: "RECORDING_TRANSCRIPTION_GENERATED",
      payload: { downloadLinks: {} },
    });
    assert.ok(transcript.recognised);
    const ooo = parse({ triggerEvent: "OOO_CREATED", payload: { oooEntry: { uuid: "o1" } } });
    assert.ok(ooo.recognised && ooo.event.kind === "other" && ooo.event.bookingUid === undefined);
    const report = parse({
      triggerEvent: "WRONG_ASSIGNMENT_REPORT",
      payload: { booking: { uid: "b2" } },
    });
    assert.ok(
      report.recognised && report.event.kind === "other" && report.event.bookingUid === "b2",
    );
  });
  await t.step("booking form answers flattened to text", () => {
    const r = parse(fixtureJson("BOOKING_CREATED"));
    assert.ok(r.recognised && r.event.kind === "booking");
    assert.ok(r.event.booking.answers.length > 0);
    assert.ok(r.event.booking.answers.every((a) => typeof a.value === "string"));
  });
  await t.step("not envelopes", () => {
    for (
      const body of [
        "",
        "false",
        "[]",
        "null",
        '{"payload":{}}',
        "\xff\xfe",
        '{"triggerEvent":"NEW_THING"}',
      ]
    ) {
      assert.equal(parse(body).recognised, false, body);
    }
    assert.equal(parseCalcomDelivery(new Uint8Array([0x7b, 0xff, 0x7d])).recognised, false);
  });
  await t.step("__proto__ keys are data, not prototypes", () => {
    const r = parse(`{"triggerEvent":"PING","__proto__":{"polluted":true},"payload":{}}`);
    assert.ok(r.recognised);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
