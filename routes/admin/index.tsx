/**
 * `/admin` placeholder until the dashboard lands: who is signed in, and a sign-out button.
 * The dashboard replaces this file.
 */
import type { PageProps, RouteConfig } from "$fresh/server.ts";
import { SignInLayout } from "@/components/SignInLayout.tsx";
import type { SignedInState } from "@/lib/auth/roles.ts";

export default function AdminHome({ state }: PageProps<unknown, SignedInState>) {
  return (
    <SignInLayout title="Bookings admin">
      <p>
        Signed in as <strong>{state.user.email}</strong> ({state.user.role}).
      </p>
      <form method="post" action="/admin/logout">
        <button type="submit" class="secondary">Sign out</button>
      </form>
    </SignInLayout>
  );
}

export const config: RouteConfig = { skipAppWrapper: true, skipInheritedLayouts: true };
