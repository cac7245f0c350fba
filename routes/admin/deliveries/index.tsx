/** `GET /admin/deliveries?status=&cursor=`: every staff email by status, with attempts. */
import type { Handlers, PageProps } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import type { DashboardState } from "@/lib/admin/state.ts";
import { staffZone } from "@/lib/admin/time.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { readCounters } from "@/lib/store/counters.ts";
import {
  DELIVERY_STATUSES,
  type DeliveryPage,
  type DeliveryStatus,
  listDeliveriesByStatus,
  listRecentDeliveries,
} from "@/lib/store/deliveries.ts";
import { DeliveryCard } from "@/components/admin/DeliveryCard.tsx";
import { Notice } from "@/components/admin/Notice.tsx";

const PAGE_SIZE = 20;

interface DeliveriesPage {
  status?: DeliveryStatus;
  page: DeliveryPage;
  counts: Record<string, number>;
  zone: string;
  paged: boolean;
}

export const handler: Handlers<DeliveriesPage, DashboardState> = {
  async GET(_req, ctx) {
    const { kv, config } = services();
    const asked = ctx.url.searchParams.get("status") ?? "";
    const status = (DELIVERY_STATUSES as readonly string[]).includes(asked)
      ? asked as DeliveryStatus
      : undefined;
    const cursor = ctx.url.searchParams.get("cursor") ?? undefined;
    const options = { limit: PAGE_SIZE, cursor };
    const [page, counts] = await Promise.all([
      status ? listDeliveriesByStatus(kv, status, options) : listRecentDeliveries(kv, options),
      readCounters(kv, DELIVERY_STATUSES.map((s) => ["counter", "deliveries", s])),
    ]);
    ctx.state.title = "Emails";
    return ctx.render({
      status,
      page,
      counts: Object.fromEntries(DELIVERY_STATUSES.map((s, i) => [s, counts[i]])),
      zone: staffZone(config.staffTimeZone),
      paged: cursor !== undefined,
    });
  },
};

const tabHref = (status?: string, cursor?: string) => {
  const params = new URLSearchParams();
  if (status) params.set("status", status);
  if (cursor) params.set("cursor", cursor);
  const query = params.toString();
  return `/admin/deliveries${query ? `?${query}` : ""}`;
};

function StatusTabs({ current, counts }: { current?: string; counts: Record<string, number> }) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return (
    <nav aria-label="Email status">
      <ul class="tabs">
        <li>
          <a href={tabHref()} aria-current={current === undefined ? "page" : undefined}>
            {`All (${total})`}
          </a>
        </li>
        {DELIVERY_STATUSES.map((s) => (
          <li key={s}>
            <a href={tabHref(s)} aria-current={current === s ? "page" : undefined}>
              {`${s} (${counts[s] ?? 0})`}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export default function DeliveriesPageView(
  { data, state, url }: PageProps<DeliveriesPage, DashboardState>,
) {
  const { status, page, counts, zone } = data;
  const canResend = hasRole(state.user, "admin");
  const back = `${url.pathname}${url.search}`.replace(/[?&](resend|retried)=[^&]*/g, "");
  return (
    <>
      <h1>Emails to staff</h1>
      <Notice url={url} />
      <StatusTabs current={status} counts={counts} />
      {canResend && (counts.dead ?? 0) > 0 && (
        <form class="actions" method="post" action="/admin/deliveries/retry-dead">
          <p>{`${counts.dead} email(s) gave up after every retry.`}</p>
          <button type="submit">Retry all dead emails</button>
        </form>
      )}
      <section id="emails" aria-label="Emails">
        {page.deliveries.length === 0
          ? (
            <div class="empty">
              <p>{status ? `No emails are ${status}.` : "No emails yet."}</p>
              <p>
                Emails are made when Cal.com sends a booking event listed in NOTIFY_EVENTS. Send one
                from the <a href="/admin/webhooks">Webhooks page</a> or book a test meeting.
              </p>
            </div>
          )
          : page.deliveries.map((d) => (
            <DeliveryCard
              key={d.id}
              delivery={d}
              zone={zone}
              canResend={canResend}
              returnTo={back || "/admin/deliveries"}
              showBooking
            />
          ))}
      </section>
      <nav class="pager" aria-label="Pages">
        {data.paged && <a href={tabHref(status)}>Newest</a>}
        {page.cursor && <a href={tabHref(status, page.cursor)} rel="next">Older emails</a>}
      </nav>
    </>
  );
}
