import type { DeliveryRecord } from "@/lib/store/deliveries.ts";
import { formatTime } from "@/lib/admin/time.ts";
import { StatusBadge } from "./BookingTable.tsx";

export interface DeliveryCardProps {
  delivery: DeliveryRecord;
  zone: string;
  /** Show the resend button (admins only). */
  canResend: boolean;
  /** Where the resend form sends the browser back to. */
  returnTo: string;
  /** Link to the booking (on the emails page, not on the booking's own page). */
  showBooking?: boolean;
}

/** A resend form: a POST with the return path; the guard checks its Origin. */
export function ResendForm({ id, returnTo }: { id: string; returnTo: string }) {
  return (
    <form
      class="inline-form"
      method="post"
      action={`/admin/deliveries/${encodeURIComponent(id)}/resend`}
    >
      <input type="hidden" name="return" value={returnTo} />
      <button type="submit">Resend</button>
    </form>
  );
}

/** One email: status, recipients, subject, every attempt, provider events, preview, resend. */
export function DeliveryCard(
  { delivery: d, zone, canResend, returnTo, showBooking }: DeliveryCardProps,
) {
  return (
    <article class="card delivery" aria-labelledby={`delivery-${d.id}`}>
      <h3 id={`delivery-${d.id}`}>
        <StatusBadge status={d.status} label={d.status} />{" "}
        {d.subject ?? `${d.trigger} notification`}
      </h3>
      <dl class="facts">
        <dt>Trigger</dt>
        <dd>{d.trigger}</dd>
        <dt>Created</dt>
        <dd>{formatTime(d.createdAt, zone)}</dd>
        {d.requestId && (
          <>
            <dt>Request id</dt>
            <dd>
              <code>{d.requestId}</code>
            </dd>
          </>
        )}
        <dt>Recipients</dt>
        <dd>{d.recipients.length > 0 ? d.recipients.join(", ") : "not sent yet"}</dd>
        {d.lastError && (
          <>
            <dt>Last error</dt>
            <dd class="error-text">{d.lastError}</dd>
          </>
        )}
        {showBooking && (
          <>
            <dt>Booking</dt>
            <dd>
              <a href={`/admin/bookings/${encodeURIComponent(d.bookingUid)}`}>{d.bookingUid}</a>
            </dd>
          </>
        )}
      </dl>
      {d.attempts.length === 0
        ? <p class="muted">No attempt yet: it is waiting in the outbox.</p>
        : (
          <table class="stacked attempts">
            <caption class="visually-hidden">Attempts</caption>
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Time</th>
                <th scope="col">Took</th>
                <th scope="col">HTTP</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {d.attempts.map((a, i) => (
                <tr key={`${a.at}-${i}`}>
                  <td data-label="Attempt">{`${i + 1}${a.manual ? " (resend)" : ""}`}</td>
                  <td data-label="Time">{formatTime(a.at, zone)}</td>
                  <td data-label="Took">{`${Math.round(a.durationMs)} ms`}</td>
                  <td data-label="HTTP">{a.httpStatus ?? "—"}</td>
                  <td data-label="Result">
                    {a.error ?? (a.messageId ? `accepted (${a.messageId})` : "accepted")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      {d.providerEvents.length > 0 && (
        <p>
          Provider events: {d.providerEvents.map((e) =>
            `${e.event} at ${formatTime(e.at, zone)}${e.reason ? ` (${e.reason})` : ""}`
          )
            .join("; ")}
        </p>
      )}
      <p class="actions">
        <a href={`/admin/outbox/${encodeURIComponent(d.id)}`}>Preview the email</a>
        {canResend && <ResendForm id={d.id} returnTo={returnTo} />}
      </p>
    </article>
  );
}
