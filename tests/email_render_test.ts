/**
 * What staff receive, end to end: Cal.com's fixtures through the signed webhook route, the
 * email as the fake SendGrid received it (HTML, text, subject, Reply-To, .ics).
 */
import assert from "node:assert/strict";
import { fixtureJson } from "./helpers/calcom.ts";
import { startMailHarness } from "./helpers/email.ts";
import type { MailSendBody } from "./fakes/sendgrid.ts";

function parts(body: MailSendBody) {
  const text = body.content.find((c) => c.type === "text/plain")?.value ?? "";
  const html = body.content.find((c) => c.type === "text/html")?.value ?? "";
  const attachment = body.attachments?.[0];
  const ics = attachment
    ? new TextDecoder().decode(Uint8Array.from(atob(attachment.content), (c) => c.charCodeAt(0)))
    : "";
  return { text, html, ics, attachment };
}

function icsField(ics: string, name: string): string | undefined {
  const unfolded = ics.replace(/\r\n /g, "");
  return unfolded.split("\r\n").find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1);
}

function assertValidIcs(ics: string) {
  assert.ok(ics.endsWith("END:VCALENDAR\r\n"), "CRLF after the last line");
  assert.doesNotMatch(ics.replace(/\r\n/g, ""), /[\r\n]/, "only CRLF line breaks");
  for (const line of ics.split("\r\n")) {
    assert.ok(new TextEncoder().encode(line).length <= 75, `folded at 75 octets: ${line}`);
  }
  assert.match(icsField(ics, "DTSTART") ?? "", /^\d{8}T\d{6}Z$/, "UTC times");
}

const envelope = (name: "BOOKING_CREATED" | "BOOKING_RESCHEDULED" | "BOOKING_CANCELLED") =>
  fixtureJson(name);

Deno.test("[email-render] created, rescheduled, cancelled: content, links and calendar", async () => {
  const h = await startMailHarness("cron");
  try {
    const created = envelope("BOOKING_CREATED");
    created.payload.uid = "previous-booking-unique-id";
    created.payload.responses.notes.value = "Please bring the contract.";
    const rescheduled = envelope("BOOKING_RESCHEDULED");
    const cancelled = envelope("BOOKING_CANCELLED");
    cancelled.payload.uid = "new-booking-unique-id";
    cancelled.payload.cancelledBy = "guest@example.com";
    for (const e of [created, rescheduled, cancelled]) {
      assert.equal((await h.post(JSON.stringify(e))).status, 200);
      await h.settle();
    }
    const [c, r, x] = h.fake.accepted().map((req) => ({ body: req.body, ...parts(req.body) }));

    assert.equal(c.body.subject, "New booking: Guest User · Mon, 1 Jan 2024, 11:00 CET");
    assert.deepEqual(c.body.reply_to, { email: "guest@example.com", name: "Guest User" });
    assert.match(c.html, /Strategy Session between Organizer and Guest/);
    assert.match(c.html, /Mon, 1 Jan 2024, 11:00–11:15 CET \(Europe\/Berlin\)/);
    assert.match(c.html, /Mon, 1 Jan 2024, 10:00–10:15 UTC/, "attendee's zone");
    assert.match(c.html, /additional-guest@example\.com/);
    assert.match(c.html, /Please bring the contract\./);
    assert.match(c.html, /https:\/\/video\.example\.com\/meeting-room-id|app\.example\.com\/video/);
    assert.match(
      c.html,
      /href="https:\/\/hooks\.example\.com\/admin\/bookings\/previous-booking-unique-id"/,
    );
    assert.match(c.html, /href="https:\/\/app\.example\.com\/booking\/previous-booking-unique-id"/);
    assert.match(c.text, /^NEW BOOKING: Strategy Session/);
    assert.match(c.text, /Duration: 15 min/);
    assert.match(c.text, /Open in admin: https:\/\/hooks\.example\.com\/admin\/bookings\//);
    assert.equal(c.attachment?.type, "text/calendar");
    assertValidIcs(c.ics);
    assert.equal(icsField(c.ics, "METHOD"), "REQUEST");
    assert.equal(icsField(c.ics, "UID"), "previous-booking-unique-id@calcom-webhook");
    assert.equal(icsField(c.ics, "SEQUENCE"), "0");
    assert.equal(icsField(c.ics, "DTSTART"), "20240101T100000Z");

    assert.match(r.body.subject, /^Rescheduled: Guest User · Wed, 10 Jan 2024, 15:30 CET$/);
    assert.match(r.html, /Was.*Fri, 5 Jan 2024, 15:30–15:45 CET/s);
    assert.match(r.html, /Now.*Wed, 10 Jan 2024, 15:30–15:45 CET/s);
    assert.equal(r.body.custom_args?.booking_uid, "new-booking-unique-id");
    assertValidIcs(r.ics);
    assert.equal(icsField(r.ics, "METHOD"), "REQUEST");
    assert.equal(icsField(r.ics, "UID"), "previous-booking-unique-id@calcom-webhook", "same UID");
    assert.equal(icsField(r.ics, "SEQUENCE"), "1");

    assert.match(x.body.subject, /^Cancelled: Guest User · /);
    assert.match(x.html, /I am no longer able to attend this session\./);
    assert.match(x.text, /Cancelled by: guest@example\.com/);
    assertValidIcs(x.ics);
    assert.equal(icsField(x.ics, "METHOD"), "CANCEL");
    assert.equal(icsField(x.ics, "STATUS"), "CANCELLED");
    assert.equal(icsField(x.ics, "UID"), "previous-booking-unique-id@calcom-webhook");
    assert.ok(Number(icsField(x.ics, "SEQUENCE")) > 1, "SEQUENCE rises");
    assert.deepEqual(h.fake.accepted().map((q) => q.body.categories?.[1]), [
      "booking-created",
      "booking-rescheduled",
      "booking-cancelled",
    ]);
  } finally {
    await h.close();
  }
});

Deno.test("[email-render] booker text is escaped, and stripped from headers", async () => {
  const h = await startMailHarness("cron");
  try {
    const e = envelope("BOOKING_CREATED");
    e.payload.uid = "uid-xss";
    e.payload.title = "<img src=x onerror=alert(1)>";
    e.payload.attendees[0].name = "<script>alert(1)</script>\r\nBcc: evil@example.com";
    e.payload.metadata.videoCallUrl = "javascript:alert(1)";
    e.payload.responses.notes.value = "</td><script>alert(2)</script>";
    e.payload.attendees[0].name += " " + "x".repeat(300);
    assert.equal((await h.post(JSON.stringify(e))).status, 200);
    await h.settle();
    const [req] = h.fake.accepted();
    const { html, text } = parts(req.body);
    assert.doesNotMatch(html, /<script>|<img src=x/);
    assert.match(
      html,
      /&lt;script>alert\(1\)&lt;\/script>|&lt;script&gt;alert\(1\)&lt;\/script&gt;/,
    );
    assert.doesNotMatch(html, /href="javascript:/);
    assert.match(text, /<script>alert\(1\)<\/script>/, "text is plain, shown as typed");
    assert.ok(Array.from(req.body.subject).every((ch) => ch.charCodeAt(0) >= 0x20), "no controls");
    assert.ok(Array.from(req.body.subject).length <= 150);
    assert.match(req.body.subject, /^New booking: <script>alert\(1\)<\/script> Bcc: evil/);
    assert.doesNotMatch(req.body.reply_to?.name ?? "", /[\r\n;,]/);
  } finally {
    await h.close();
  }
});
