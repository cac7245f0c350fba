/** `POST /admin/logout`: ends the session and clears the cookie, then 303 to the login page. */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { clearedSessionCookie } from "@/lib/auth/cookie.ts";
import type { SignedInState } from "@/lib/auth/roles.ts";
import { endSession } from "@/lib/auth/sessions.ts";

export const handler: Handlers<unknown, SignedInState> = {
  async POST(_req, ctx) {
    await endSession(services().kv, ctx.state.session.id);
    return new Response(null, {
      status: 303,
      headers: { Location: "/admin/login", "Set-Cookie": clearedSessionCookie(ctx.url) },
    });
  },
};
