/**
 * `GET /admin/outbox/[id]/html`: the HTML part of an email, alone, for the preview's iframe.
 * Its own CSP: a sandbox (no scripts, no same-origin access, no forms), nothing loaded but
 * inline styles and images, and framing by the admin only.
 */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { previewDeliveryEmail } from "@/lib/outbox/admin.ts";

export const EMAIL_FRAME_CSP = [
  "sandbox",
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src data: https:",
  "frame-ancestors 'self'",
].join("; ");

export const handler: Handlers = {
  async GET(_req, ctx) {
    const { kv, config } = services();
    const preview = await previewDeliveryEmail(kv, config, ctx.params.id);
    if (!preview || "error" in preview) return ctx.renderNotFound();
    return new Response(preview.email.html, {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": EMAIL_FRAME_CSP,
      },
    });
  },
};
