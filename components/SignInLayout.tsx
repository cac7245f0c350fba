/**
 * The whole document of the pages people see before they are signed in (sign-in, first-run
 * set-up). Self-contained, so it does not depend on the dashboard's `_app` or layouts; no
 * scripts, styles only from `/admin.css` (the admin CSP allows nothing inline).
 */
import type { ComponentChildren } from "preact";
import { asset } from "$fresh/runtime.ts";

export interface SignInLayoutProps {
  title: string;
  children: ComponentChildren;
}

export function SignInLayout({ title, children }: SignInLayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Bookings admin`}</title>
        <link rel="stylesheet" href={asset("/admin.css")} />
      </head>
      <body class="signin">
        <main class="signin-card">
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** A message above a form: `role="alert"` so screen readers announce it after a post. */
export function FormMessage({ message }: { message?: string }) {
  if (!message) return null;
  return <p class="form-message" role="alert">{message}</p>;
}

/** The `email` field both sign-in forms post, focused first and kept after a failed post. */
export function EmailField({ email }: { email?: string }) {
  return (
    <>
      <label for="email">Email</label>
      <input
        id="email"
        name="email"
        type="email"
        autocomplete="username"
        required
        autofocus
        value={email ?? ""}
      />
    </>
  );
}
