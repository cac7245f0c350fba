import type { BookingRow, EmailSummary } from "../../lib/admin/booking_view.ts";

/** A status badge; the word is always shown, colour only repeats it. */
export function StatusBadge({ status, label }: { status: string; label: string }) {
  return <span class={`badge status-${status.replace(/[^a-z_]/g, "")}`}>{label}</span>;
}

function Emails({ emails }: { emails: EmailSummary[] }) {
  if (emails.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="emails">
      {emails.map((e) => (
        <li key={e.status} class={e.problem ? "email-problem" : undefined}>
          <StatusBadge
            status={e.status}
            label={e.count > 1 ? `${e.count}× ${e.status}` : e.status}
          />
        </li>
      ))}
    </ul>
  );
}

export interface BookingTableProps {
  rows: BookingRow[];
  /** Uids that arrived with the last live refresh, highlighted once. */
  fresh?: ReadonlySet<string>;
  caption: string;
}

/** The bookings table; on narrow screens the stylesheet turns each row into a card. */
export function BookingTable({ rows, fresh, caption }: BookingTableProps) {
  return (
    <table class="bookings">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Booking</th>
          <th scope="col">Starts</th>
          <th scope="col">Attendee</th>
          <th scope="col">Event type</th>
          <th scope="col">Emails</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.uid} class={fresh?.has(row.uid) ? "fresh" : undefined}>
            <td data-label="Status">
              <StatusBadge status={row.status} label={row.statusLabel} />
            </td>
            <td data-label="Booking">
              <a href={`/admin/bookings/${encodeURIComponent(row.uid)}`}>{row.title}</a>
            </td>
            <td data-label="Starts">
              <time dateTime={row.startIso}>{row.start}</time>{" "}
              <span class="muted zone">{row.zone}</span>
            </td>
            <td data-label="Attendee">
              {row.attendee}
              {row.moreAttendees > 0 && <span class="muted">{` +${row.moreAttendees}`}</span>}
            </td>
            <td data-label="Event type">{row.eventType}</td>
            <td data-label="Emails">
              <Emails emails={row.emails} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
