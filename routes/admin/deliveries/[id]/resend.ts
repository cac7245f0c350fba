/** `POST /admin/deliveries/[id]/resend` (admins): a new attempt, then 303 back to the page. */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { adminReturnPath } from "@/lib/admin/return_path.ts";
import { type AdminState, requireRole } from "@/lib/auth/roles.ts";
import { readSmallForm } from "@/lib/auth/form.ts";
import { resendDelivery } from "@/lib/outbox/admin.ts";

export const handler: Handlers<unknown, AdminState> = {
  async POST(req, ctx) {
    requireRole(ctx, "admin");
    const form = await readSmallForm(req);
    const result = await resendDelivery(services().kv, ctx.params.id);
    if (!result.ok && result.reason === "not_found") return ctx.renderNotFound();
    const url = new URL(adminReturnPath(form?.get("return") ?? null), ctx.url);
    url.searchParams.set("resend", result.ok ? "queued" : result.reason);
    return new Response(null, {
      status: 303,
      headers: { Location: `${url.pathname}${url.search}#emails` },
    });
  },
};
