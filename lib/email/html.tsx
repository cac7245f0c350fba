/**
 * The HTML staff email as one Preact component tree rendered on the server. Preact escapes
 * every string, so booker text (names, answers, notes) can never become markup; styles are
 * inline because mail clients drop `<style>` and external CSS.
 * @module
 */
import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";
import type { BookingEmail } from "./content.ts";

const FONT = "font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif";
const PAD = "padding:6px 12px 6px 0;vertical-align:top;font-size:14px";
const CELL = `${PAD};color:#1f2937`;
const LABEL = `${PAD};color:#6b7280;white-space:nowrap`;

function Row(props: { label: string; key?: string; children: ComponentChildren }) {
  return (
    <tr>
      <td style={LABEL}>{props.label}</td>
      <td style={CELL}>{props.children}</td>
    </tr>
  );
}

function Details({ email }: { email: BookingEmail }) {
  const f = email.facts;
  return (
    <table role="presentation" cellPadding="0" cellSpacing="0" style="border-collapse:collapse">
      <tbody>
        <Row label="Event">{f.eventType ? `${f.title} (${f.eventType})` : f.title}</Row>
        {email.previousWhen && <Row label="Was">{email.previousWhen}</Row>}
        <Row label={email.previousWhen ? "Now" : "When"}>{email.when}</Row>
        {email.attendeeWhen && <Row label="Attendee's time">{email.attendeeWhen.text}</Row>}
        <Row label="Duration">{`${email.durationMinutes} min`}</Row>
        {f.location && <Row label="Location">{f.location}</Row>}
        {email.meetingUrl && (
          <Row label="Meeting link">
            <a href={email.meetingUrl}>{email.meetingUrl}</a>
          </Row>
        )}
        {email.cancellation?.reason && <Row label="Reason">{email.cancellation.reason}</Row>}
        {email.cancellation?.by && <Row label="Cancelled by">{email.cancellation.by}</Row>}
        {email.rejectionReason && <Row label="Rejection reason">{email.rejectionReason}</Row>}
        <Row label="Booking">{f.uid}</Row>
      </tbody>
    </table>
  );
}

function Attendees({ email }: { email: BookingEmail }) {
  return (
    <ul style="padding-left:18px;margin:4px 0;font-size:14px">
      {email.attendees.map((a, i) => (
        <li key={i}>
          {a.name || "(no name)"} &lt;<a href={`mailto:${a.email}`}>{a.email}</a>&gt;
          {a.timeZone ? ` · ${a.timeZone}` : ""}
        </li>
      ))}
    </ul>
  );
}

function Answers({ email }: { email: BookingEmail }) {
  const { answers, notes } = email.facts;
  if (answers.length === 0 && !notes) return null;
  return (
    <>
      <h2 style="font-size:16px;margin:20px 0 4px">Booking form</h2>
      <table role="presentation" cellPadding="0" cellSpacing="0" style="border-collapse:collapse">
        <tbody>
          {answers.map((a) => <Row key={a.field} label={a.label}>{a.value}</Row>)}
          {notes && <Row label="Notes">{notes}</Row>}
        </tbody>
      </table>
    </>
  );
}

const BUTTON =
  "display:inline-block;padding:8px 14px;margin:0 8px 8px 0;border-radius:6px;text-decoration:none;font-size:14px";

export function BookingEmailHtml({ email }: { email: BookingEmail }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>{`${email.label}: ${email.facts.title}`}</title>
      </head>
      <body style={`margin:0;padding:24px;background:#f3f4f6;${FONT}`}>
        <div style="max-width:640px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
          <p style="margin:0;font-size:12px;color:#6b7280;text-transform:uppercase">
            {email.label}
          </p>
          <h1 style="font-size:20px;margin:4px 0 8px">{email.facts.title}</h1>
          <p style="margin:0 0 16px;font-size:14px">{email.lead}</p>
          <Details email={email} />
          <h2 style="font-size:16px;margin:20px 0 4px">Attendees</h2>
          <Attendees email={email} />
          <Answers email={email} />
          <p style="margin:24px 0 0">
            <a href={email.adminUrl} style={`${BUTTON};background:#111827;color:#fff`}>
              Open in admin
            </a>
            {email.calcomUrl && (
              <a href={email.calcomUrl} style={`${BUTTON};background:#e5e7eb;color:#111827`}>
                Open in Cal.com
              </a>
            )}
          </p>
        </div>
      </body>
    </html>
  );
}

/** The complete HTML document. */
export function renderEmailHtml(email: BookingEmail): string {
  return "<!DOCTYPE html>" + renderToString(<BookingEmailHtml email={email} />);
}
