/** `GET /admin/bookings/[uid]`: one booking, its webhook timeline and its emails. */
import type { Handlers, PageProps } from "$fresh/server.ts";
import { Fragment } from "preact";
import { services } from "@/lib/app.ts";
import { type BookingDetail, loadBookingDetail } from "@/lib/admin/booking_detail.ts";
import { STATUS_LABELS } from "@/lib/admin/booking_list.ts";
import type { DashboardState } from "@/lib/admin/state.ts";
import { formatTime } from "@/lib/admin/time.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { StatusBadge } from "@/components/admin/BookingTable.tsx";
import { DeliveryCard } from "@/components/admin/DeliveryCard.tsx";
import { EventTimeline } from "@/components/admin/EventTimeline.tsx";
import { Notice } from "@/components/admin/Notice.tsx";

export const handler: Handlers<BookingDetail, DashboardState> = {
  async GET(_req, ctx) {
    const { kv, config } = services();
    const detail = await loadBookingDetail(kv, config, ctx.params.uid);
    if (!detail) return ctx.renderNotFound();
    ctx.state.title = detail.booking.facts?.title ?? "Booking";
    return ctx.render(detail);
  },
};

const bookingHref = (uid: string) => `/admin/bookings/${encodeURIComponent(uid)}`;

function Facts({ detail }: { detail: BookingDetail }) {
  const { booking, zone } = detail;
  const f = booking.facts;
  return (
    <dl class="facts">
      <dt>Starts</dt>
      <dd>
        {f ? `${formatTime(f.startTime, zone)} – ${formatTime(f.endTime, zone)} (${zone})` : "—"}
      </dd>
      <dt>Event type</dt>
      <dd>{f?.eventType ?? "—"}</dd>
      <dt>Organizer</dt>
      <dd>{f?.organizer ? `${f.organizer.name} <${f.organizer.email}>` : "—"}</dd>
      <dt>Attendees</dt>
      <dd>
        {f && f.attendees.length > 0
          ? f.attendees.map((a) => `${a.name} <${a.email}>`).join(", ")
          : "—"}
        {booking.attendeeCount > (f?.attendees.length ?? 0) &&
          ` and ${booking.attendeeCount - (f?.attendees.length ?? 0)} more`}
      </dd>
      {f?.location && (
        <>
          <dt>Location</dt>
          <dd>{f.location}</dd>
        </>
      )}
      {booking.rescheduledFrom && (
        <>
          <dt>Rescheduled from</dt>
          <dd>
            <a href={bookingHref(booking.rescheduledFrom)}>{booking.rescheduledFrom}</a>
          </dd>
        </>
      )}
      {booking.rescheduledTo && (
        <>
          <dt>Rescheduled to</dt>
          <dd>
            <a href={bookingHref(booking.rescheduledTo)}>{booking.rescheduledTo}</a>
          </dd>
        </>
      )}
      {booking.cancellation?.reason && (
        <>
          <dt>Cancellation reason</dt>
          <dd>{booking.cancellation.reason}</dd>
        </>
      )}
      {booking.rejectionReason && (
        <>
          <dt>Rejection reason</dt>
          <dd>{booking.rejectionReason}</dd>
        </>
      )}
      {f?.notes && (
        <>
          <dt>Notes</dt>
          <dd>{f.notes}</dd>
        </>
      )}
      {f?.answers.map((a) => (
        <Fragment key={a.field}>
          <dt>{a.label}</dt>
          <dd>{a.value}</dd>
        </Fragment>
      ))}
      <dt>Booking uid</dt>
      <dd>
        <code>{booking.uid}</code>
      </dd>
    </dl>
  );
}

export default function BookingPage(
  { data, state, url }: PageProps<BookingDetail, DashboardState>,
) {
  const { booking, zone, events, deliveries } = data;
  const canResend = hasRole(state.user, "admin");
  return (
    <>
      <p>
        <a href="/admin">← All bookings</a>
      </p>
      <h1>
        <StatusBadge
          status={booking.status}
          label={STATUS_LABELS[booking.status] ?? booking.status}
        />{" "}
        {booking.facts?.title ?? "Booking without details yet"}
      </h1>
      <Notice url={url} />
      <section class="card" aria-labelledby="facts-heading">
        <h2 id="facts-heading">Details</h2>
        <Facts detail={data} />
      </section>
      <section aria-labelledby="emails-heading" id="emails">
        <h2 id="emails-heading">Emails to staff</h2>
        {deliveries.length === 0
          ? (
            <p class="muted">
              No email for this booking (its triggers are not in NOTIFY_EVENTS, or none was needed).
            </p>
          )
          : deliveries.map((d) => (
            <DeliveryCard
              key={d.id}
              delivery={d}
              zone={zone}
              canResend={canResend}
              returnTo={url.pathname}
            />
          ))}
      </section>
      <section class="card" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Webhook events</h2>
        <EventTimeline events={events} zone={zone} />
      </section>
    </>
  );
}
