/**
 * `POST /admin/webhooks/test` (admins): sends a PING signed with the first webhook secret
 * through the app's own webhook handler, in-process (no network, works behind any proxy),
 * then 303 back to the webhooks page with the outcome.
 */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { signedTestPing } from "@/lib/admin/webhook_health.ts";
import { type AdminState, requireRole } from "@/lib/auth/roles.ts";
import { handler as webhook } from "@/routes/api/calcom-webhook.ts";

export const handler: Handlers<unknown, AdminState> = {
  async POST(_req, ctx) {
    requireRole(ctx, "admin");
    const { webhookSecrets } = services();
    const ping = await signedTestPing(
      new URL("/api/calcom-webhook", ctx.url).href,
      webhookSecrets[0],
    );
    const answer = await webhook.POST!(ping, ctx);
    await answer.body?.cancel();
    const outcome = answer.ok ? "ok" : `HTTP ${answer.status}`;
    return new Response(null, {
      status: 303,
      headers: { Location: `/admin/webhooks?test=${encodeURIComponent(outcome)}` },
    });
  },
};
