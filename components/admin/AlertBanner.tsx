import type { ActiveAlert } from "@/lib/alerts/mod.ts";

/** Open alert incidents above every dashboard page: what happened and what to do. */
export function AlertBanner({ alerts }: { alerts: ActiveAlert[] }) {
  if (alerts.length === 0) return null;
  return (
    <section class="error alert-banner" aria-label="Open alerts">
      <ul>
        {alerts.map((alert) => (
          <li key={alert.incident}>
            <strong>{alert.title}</strong> <span>({alert.detail}; since {alert.openedAt})</span>
            <br />
            {alert.action}
          </li>
        ))}
      </ul>
    </section>
  );
}
