/**
 * `GET /admin/login`: the sign-in form. `POST /admin/login` (`email`, `password`): 303 to the
 * page asked for (`?next=`, same-origin admin paths only) with the session cookie; 401 with the
 * form and a message on failure; 429 when throttled; 413 for an oversized body.
 */
import type { Handlers, PageProps, RouteConfig } from "$fresh/server.ts";
import { LoginForm } from "@/components/LoginForm.tsx";
import { SignInLayout } from "@/components/SignInLayout.tsx";
import { services } from "@/lib/app.ts";
import { sessionCookie } from "@/lib/auth/cookie.ts";
import { readSmallForm } from "@/lib/auth/form.ts";
import { LOGIN_FAILED_MESSAGE, signIn, throttledMessage } from "@/lib/auth/login.ts";
import { ADMIN_HOME, safeNextPath } from "@/lib/auth/redirect.ts";
import type { AdminState } from "@/lib/auth/roles.ts";
import { clientId } from "@/lib/auth/throttle.ts";

interface LoginPage {
  next: string;
  email?: string;
  message?: string;
}

const seeOther = (location: string, headers: HeadersInit = {}) =>
  new Response(null, { status: 303, headers: { ...headers, Location: location } });

export const handler: Handlers<LoginPage, AdminState> = {
  GET(_req, ctx) {
    const next = safeNextPath(ctx.url.searchParams.get("next"));
    if (ctx.state.user) return seeOther(next);
    return ctx.render({ next });
  },

  async POST(req, ctx) {
    const next = safeNextPath(ctx.url.searchParams.get("next"));
    const form = await readSmallForm(req);
    if (!form) return ctx.render({ next, message: "That request was too large." }, { status: 413 });
    const email = form.get("email") ?? "";
    const result = await signIn(services().kv, {
      email,
      password: form.get("password") ?? "",
      client: clientId(ctx.remoteAddr.hostname),
    });
    if (result.kind === "signed-in") {
      const maxAge = (result.session.expiresAt - Date.now()) / 1000;
      return seeOther(next, { "Set-Cookie": sessionCookie(ctx.url, result.token, maxAge) });
    }
    if (result.kind === "throttled") {
      const retryAfter = String(Math.ceil(result.retryAfterMs / 1000));
      return ctx.render({ next, email, message: throttledMessage(result.retryAfterMs) }, {
        status: 429,
        headers: { "Retry-After": retryAfter },
      });
    }
    return ctx.render({ next, email, message: LOGIN_FAILED_MESSAGE }, { status: 401 });
  },
};

export default function LoginPage({ data }: PageProps<LoginPage, AdminState>) {
  const action = data.next === ADMIN_HOME
    ? "/admin/login"
    : `/admin/login?next=${encodeURIComponent(data.next)}`;
  return (
    <SignInLayout title="Sign in">
      <LoginForm action={action} email={data.email} message={data.message} />
    </SignInLayout>
  );
}

export const config: RouteConfig = { skipAppWrapper: true, skipInheritedLayouts: true };
