/**
 * Admin middleware: puts the open alert incidents in `ctx.state.alerts` for the layout's
 * banner. Page requests only (one `getMany`); the admin API answers without it.
 * @module
 */
import type { FreshContext } from "$fresh/server.ts";
import { services } from "../app.ts";
import { type ActiveAlert, activeAlerts } from "./mod.ts";

export interface AlertBannerState {
  alerts?: ActiveAlert[];
}

export async function loadAlertBanner(
  req: Request,
  ctx: FreshContext<AlertBannerState>,
): Promise<Response> {
  if (req.method === "GET" && ctx.destination === "route" && !ctx.route.startsWith("/admin/api")) {
    // A banner is not worth failing a page for.
    ctx.state.alerts = await activeAlerts(services().kv).catch(() => []);
  }
  return await ctx.next();
}
