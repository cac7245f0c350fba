import type { TimelineEvent } from "@/lib/admin/booking_detail.ts";
import { formatTime } from "@/lib/admin/time.ts";

/** Every webhook event about a booking, oldest first, each with its raw payload (escaped). */
export function EventTimeline({ events, zone }: { events: TimelineEvent[]; zone: string }) {
  if (events.length === 0) return <p class="muted">No webhook events stored for this booking.</p>;
  return (
    <ol class="timeline">
      {events.map(({ event, payload, truncated }) => (
        <li key={event.id}>
          <p>
            <strong>{event.trigger ?? "(no trigger)"}</strong>{" "}
            <span class="muted">
              received {formatTime(event.receivedAt, zone)}
              {event.createdAt && event.createdAt !== event.receivedAt &&
                ` · sent by Cal.com ${formatTime(event.createdAt, zone)}`}
              {` · ${event.size} bytes`}
              {event.requestId && ` · request id ${event.requestId}`}
              {!event.recognised && ` · not recognised: ${event.reason ?? "unknown shape"}`}
            </span>
          </p>
          <details>
            <summary>Raw payload</summary>
            <pre class="payload" tabIndex={0}>{payload}</pre>
            {truncated && <p class="muted">Cut for display; the stored body is complete.</p>}
          </details>
        </li>
      ))}
    </ol>
  );
}
