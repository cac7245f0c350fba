/**
 * Renders what staff receive for Cal.com's sample payloads into docs/emails/ (HTML, text, .ics,
 * subject), for the README and for review.
 * Run: deno run -A scripts/render_email_samples.ts && deno fmt docs/emails
 */
import { parseCalcomDelivery } from "@/lib/calcom/event.ts";
import { buildBookingEmail } from "@/lib/email/content.ts";
import { renderEmailHtml } from "@/lib/email/html.tsx";
import { bookingCalendar } from "@/lib/email/ics.ts";
import { bookingSubject } from "@/lib/email/subject.ts";
import { renderEmailText } from "@/lib/email/text.ts";

const SAMPLES = [
  ["BOOKING_CREATED", "booking-created", 0],
  ["BOOKING_RESCHEDULED", "booking-rescheduled", 1],
  ["BOOKING_CANCELLED", "booking-cancelled", 2],
] as const;
const out = new URL("../docs/emails/", import.meta.url);
await Deno.mkdir(out, { recursive: true });
const context = { publicUrl: "https://bookings.example.com", staffTimeZone: "Europe/Berlin" };

for (const [trigger, name, sequence] of SAMPLES) {
  const body = await Deno.readFile(
    new URL(`../tests/fixtures/calcom/${trigger}.json`, import.meta.url),
  );
  const parsed = parseCalcomDelivery(body);
  if (!parsed.recognised || parsed.event.kind !== "booking") {
    throw new Error(`${trigger}: no booking`);
  }
  const model = buildBookingEmail(trigger, parsed.event.booking, null, context);
  const subject = bookingSubject(model.label, model.attendeeName, model.startForSubject);
  const calendar = bookingCalendar(
    model,
    { rootUid: "unique-booking-id", sequence },
    new Date("2024-01-01T00:00:00Z"),
  );
  await Deno.writeTextFile(new URL(`${name}.html`, out), renderEmailHtml(model) + "\n");
  await Deno.writeTextFile(
    new URL(`${name}.txt`, out),
    `Subject: ${subject}\n\n${renderEmailText(model)}`,
  );
  if (calendar) await Deno.writeTextFile(new URL(`${name}.ics`, out), calendar.content);
  console.log(`docs/emails/${name}.{html,txt,ics}: ${subject}`);
}
