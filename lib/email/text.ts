/** The plain-text version of the staff email, from the same model as the HTML. */
import type { BookingEmail } from "./content.ts";

/** Keeps booker text on its own lines, without control characters other than newlines. */
function clean(text: string): string {
  let out = "";
  for (const ch of text.replace(/\r\n?/g, "\n")) {
    const code = ch.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    if (!control || ch === "\n" || ch === "\t") out += ch;
  }
  return out;
}

function lines(label: string, value: string | undefined): string[] {
  if (!value) return [];
  const [first, ...rest] = clean(value).split("\n");
  return [`${label}: ${first}`, ...rest.map((l) => `  ${l}`)];
}

/**
 * @example
 * const text = renderEmailText(buildBookingEmail(trigger, facts, booking, context));
 */
export function renderEmailText(email: BookingEmail): string {
  const f = email.facts;
  const out: string[] = [
    `${email.label.toUpperCase()}: ${clean(f.title)}`,
    email.lead,
    "",
    ...lines("Event", f.eventType ? `${f.title} (${f.eventType})` : f.title),
    ...lines("Was", email.previousWhen),
    ...lines(email.previousWhen ? "Now" : "When", email.when),
    ...lines("Attendee's time", email.attendeeWhen?.text),
    `Duration: ${email.durationMinutes} min`,
    ...lines("Location", f.location),
    ...lines("Meeting link", email.meetingUrl),
    ...lines("Reason", email.cancellation?.reason),
    ...lines("Cancelled by", email.cancellation?.by),
    ...lines("Rejection reason", email.rejectionReason),
    `Booking: ${f.uid}`,
    "",
    "Attendees:",
    ...email.attendees.map((a) =>
      `- ${clean(a.name || "(no name)")} <${clean(a.email)}>${
        a.timeZone ? ` · ${clean(a.timeZone)}` : ""
      }`
    ),
  ];
  if (f.answers.length || f.notes) {
    out.push("", "Booking form:");
    for (const a of f.answers) out.push(...lines(`- ${a.label}`, a.value));
    out.push(...lines("- Notes", f.notes));
  }
  out.push("", `Open in admin: ${email.adminUrl}`);
  if (email.calcomUrl) out.push(`Open in Cal.com: ${email.calcomUrl}`);
  return out.join("\n") + "\n";
}
