/** `GET /admin/webhooks`: health of the Cal.com integration and how to connect it. */
import type { Handlers, PageProps } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import type { DashboardState } from "@/lib/admin/state.ts";
import { formatTime, staffZone } from "@/lib/admin/time.ts";
import { loadWebhookHealth, type WebhookHealth } from "@/lib/admin/webhook_health.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { Notice } from "@/components/admin/Notice.tsx";

interface WebhooksPage {
  health: WebhookHealth;
  zone: string;
}

export const handler: Handlers<WebhooksPage, DashboardState> = {
  async GET(_req, ctx) {
    const { kv, config } = services();
    ctx.state.title = "Webhooks";
    return ctx.render({
      health: await loadWebhookHealth(kv, config),
      zone: staffZone(config.staffTimeZone),
    });
  },
};

function Connect({ health, canTest }: { health: WebhookHealth; canTest: boolean }) {
  return (
    <section class="card" aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect Cal.com</h2>
      <p>
        In Cal.com, open Settings → Developer → Webhooks → New, and paste this as the subscriber
        URL:
      </p>
      <code class="url">{health.webhookUrl}</code>
      <p>
        Use the value of <code>CALCOM_WEBHOOK_SECRET</code>{" "}
        as the secret (on a local instance, the secret printed at start-up). Choose the booking
        triggers you want; "Ping test" there should show a 200.
      </p>
      {canTest && (
        <form method="post" action="/admin/webhooks/test" class="actions">
          <button type="submit">Send test event</button>
          <span class="muted">Posts a signed PING to this app, as Cal.com's ping test does.</span>
        </form>
      )}
    </section>
  );
}

function Activity({ health, zone }: WebhooksPage) {
  const { lastEvent, totals } = health;
  return (
    <section class="card" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Activity</h2>
      <p>
        {lastEvent
          ? `Last accepted event: ${lastEvent.trigger ?? "unknown trigger"} at ${
            formatTime(lastEvent.at, zone)
          } (${zone}).`
          : "No event has been accepted yet. Connect Cal.com above, or send a test event."}
      </p>
      <p>
        {`${totals.all} events accepted · ${totals.duplicate} duplicates · ${totals.unrecognised} unrecognised · ${totals.signatureFailures} rejected signatures`}
      </p>
      <div class="two-tables">
        <table>
          <caption>By trigger</caption>
          <thead>
            <tr>
              <th scope="col">Trigger</th>
              <th scope="col">Events</th>
            </tr>
          </thead>
          <tbody>
            {health.byTrigger.length === 0 && (
              <tr>
                <td colSpan={2}>None yet</td>
              </tr>
            )}
            {health.byTrigger.map((t) => (
              <tr key={t.trigger}>
                <td>{t.trigger}</td>
                <td>{t.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table>
          <caption>By day (UTC)</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Events</th>
              <th scope="col">Rejected</th>
            </tr>
          </thead>
          <tbody>
            {health.byDay.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{d.events}</td>
                <td>{d.signatureFailures}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Problems({ health, zone }: WebhooksPage) {
  return (
    <>
      <section class="card" aria-labelledby="failures-heading">
        <h2 id="failures-heading">Recent signature failures</h2>
        {health.failures.length === 0
          ? <p class="muted">None in the last week.</p>
          : (
            <table class="stacked">
              <caption class="visually-hidden">Signature failures, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Client</th>
                </tr>
              </thead>
              <tbody>
                {health.failures.map((f) => (
                  <tr key={f.id}>
                    <td data-label="Time">{formatTime(f.at, zone)}</td>
                    <td data-label="Reason">{f.reason}</td>
                    <td data-label="Client">{f.client ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        <p class="muted">
          Many failures usually mean the secret in Cal.com differs from CALCOM_WEBHOOK_SECRET.
        </p>
      </section>
      <section class="card" aria-labelledby="unrecognised-heading">
        <h2 id="unrecognised-heading">Unrecognised events</h2>
        {health.unrecognised.length === 0
          ? <p class="muted">None: every signed event so far was a Cal.com event we understand.</p>
          : (
            <ul class="plain-list">
              {health.unrecognised.map(({ event, payload }) => (
                <li key={event.id}>
                  <p>
                    {`${formatTime(event.receivedAt, zone)} · ${event.trigger ?? "no trigger"} · ${
                      event.reason ?? "unknown shape"
                    } · ${event.size} bytes`}
                  </p>
                  <details>
                    <summary>Raw payload</summary>
                    <pre class="payload" tabIndex={0}>{payload}</pre>
                  </details>
                </li>
              ))}
            </ul>
          )}
      </section>
    </>
  );
}

export default function WebhooksPageView(
  { data, state, url }: PageProps<WebhooksPage, DashboardState>,
) {
  return (
    <>
      <h1>Cal.com webhooks</h1>
      <Notice url={url} />
      <Connect health={data.health} canTest={hasRole(state.user, "admin")} />
      <Activity {...data} />
      <Problems {...data} />
    </>
  );
}
