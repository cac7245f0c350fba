/**
 * `/admin/setup/[token]`: the one-time first-run link printed at start-up. GET shows the form
 * for the first admin's email and password; POST creates the account, consumes the link and
 * signs in (303 to /admin). An unknown, expired or used link, or any existing account: 404.
 */
import type { Handlers, PageProps, RouteConfig } from "$fresh/server.ts";
import { SetupForm } from "@/components/SetupForm.tsx";
import { SignInLayout } from "@/components/SignInLayout.tsx";
import { services } from "@/lib/app.ts";
import { AccountExistsError, isEmailAddress, normaliseEmail } from "@/lib/auth/accounts.ts";
import { sessionCookie } from "@/lib/auth/cookie.ts";
import { readSmallForm } from "@/lib/auth/form.ts";
import { passwordProblem } from "@/lib/auth/passwords.ts";
import type { AdminState } from "@/lib/auth/roles.ts";
import { startSession } from "@/lib/auth/sessions.ts";
import { completeSetup, isSetupTokenUsable } from "@/lib/auth/setup.ts";
import { log } from "@/lib/log.ts";

interface SetupPage {
  usable: boolean;
  email?: string;
  message?: string;
}

const GONE: SetupPage = { usable: false };

export const handler: Handlers<SetupPage, AdminState> = {
  async GET(_req, ctx) {
    if (!await isSetupTokenUsable(services().kv, ctx.params.token)) {
      return ctx.render(GONE, { status: 404 });
    }
    return ctx.render({ usable: true });
  },

  async POST(req, ctx) {
    const { kv } = services();
    const { token } = ctx.params;
    if (!await isSetupTokenUsable(kv, token)) return ctx.render(GONE, { status: 404 });
    const form = await readSmallForm(req);
    if (!form) {
      return ctx.render({ usable: true, message: "That request was too large." }, { status: 413 });
    }
    const email = normaliseEmail(form.get("email") ?? "");
    const password = form.get("password") ?? "";
    const problem = isEmailAddress(email)
      ? passwordProblem(password)
      : "Enter the email address you will sign in with.";
    if (problem) return ctx.render({ usable: true, email, message: problem }, { status: 400 });
    try {
      const account = await completeSetup(kv, token, { email, password });
      if (!account) return ctx.render(GONE, { status: 404 });
      const { token: sessionToken, session } = await startSession(kv, account.id);
      log.info("first admin created", { account: account.id });
      const maxAge = (session.expiresAt - Date.now()) / 1000;
      return new Response(null, {
        status: 303,
        headers: { Location: "/admin", "Set-Cookie": sessionCookie(ctx.url, sessionToken, maxAge) },
      });
    } catch (error) {
      if (!(error instanceof AccountExistsError)) throw error;
      return ctx.render({ usable: true, email, message: error.message }, { status: 409 });
    }
  },
};

export default function SetupPage({ data, url }: PageProps<SetupPage, AdminState>) {
  if (!data.usable) {
    return (
      <SignInLayout title="Set-up link not valid">
        <p>
          This set-up link is unknown, expired or already used. If an admin account exists,{" "}
          <a href="/admin/login">sign in</a>. Otherwise restart the app: it prints a new link.
        </p>
      </SignInLayout>
    );
  }
  return (
    <SignInLayout title="Set up the admin">
      <SetupForm action={url.pathname} email={data.email} message={data.message} />
    </SignInLayout>
  );
}

export const config: RouteConfig = { skipAppWrapper: true, skipInheritedLayouts: true };
