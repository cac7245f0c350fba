import type { PageProps } from "$fresh/server.ts";
import { asset } from "$fresh/runtime.ts";
import type { DashboardState } from "@/lib/admin/state.ts";

/** The document of every page: styles from files only (the admin CSP allows nothing inline). */
export default function App({ Component, state }: PageProps<unknown, DashboardState>) {
  const title = state.title ? `${state.title} · Bookings admin` : "Bookings admin";
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="stylesheet" href={asset("/admin.css")} />
        <link rel="stylesheet" href={asset("/dashboard.css")} />
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}
