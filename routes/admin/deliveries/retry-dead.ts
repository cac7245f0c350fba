/** `POST /admin/deliveries/retry-dead` (admins): a new attempt for every dead email. */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { type AdminState, requireRole } from "@/lib/auth/roles.ts";
import { retryAllDead } from "@/lib/outbox/admin.ts";

export const handler: Handlers<unknown, AdminState> = {
  async POST(_req, ctx) {
    requireRole(ctx, "admin");
    const { resent } = await retryAllDead(services().kv);
    return new Response(null, {
      status: 303,
      headers: { Location: `/admin/deliveries?retried=${resent}` },
    });
  },
};
