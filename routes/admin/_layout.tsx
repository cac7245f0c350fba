import type { PageProps } from "$fresh/server.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import type { DashboardState } from "@/lib/admin/state.ts";
import { AlertBanner } from "@/components/admin/AlertBanner.tsx";

const LINKS = [
  { href: "/admin", label: "Bookings" },
  { href: "/admin/deliveries", label: "Emails" },
  { href: "/admin/webhooks", label: "Webhooks" },
];

function isCurrent(href: string, path: string): boolean {
  if (href === "/admin") return path === "/admin" || path.startsWith("/admin/bookings");
  return path === href || path.startsWith(`${href}/`);
}

/** Dashboard frame: skip link, navigation (Users for admins only), who is signed in, sign out. */
export default function AdminLayout({ Component, state, url }: PageProps<unknown, DashboardState>) {
  const user = state.user;
  const links = hasRole(user, "admin")
    ? [...LINKS, { href: "/admin/users", label: "Users" }]
    : LINKS;
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href="/admin">Bookings admin</a>
        <nav aria-label="Dashboard">
          <ul>
            {links.map((link) => (
              <li key={link.href}>
                <a
                  href={link.href}
                  aria-current={isCurrent(link.href, url.pathname) ? "page" : undefined}
                >
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {user && (
          <form class="signout" method="post" action="/admin/logout">
            <span class="who">
              {user.email} <span class="muted">({user.role})</span>
            </span>
            <button type="submit" class="secondary">Sign out</button>
          </form>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <AlertBanner alerts={state.alerts ?? []} />
        <Component />
      </main>
    </>
  );
}
