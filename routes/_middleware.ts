/**
 * Every request: a request id (honoured or made, returned as `X-Request-Id`, never in a body),
 * `nosniff`, the admin's security headers on any HTML page that has none of its own (404 and 500
 * pages outside /admin), and one JSON log line with the route pattern — not the path, which may
 * hold a set-up token — the status and the duration.
 */
import type { FreshContext } from "$fresh/server.ts";
import { withSecurityHeaders } from "@/lib/auth/envelope.ts";
import { adminGuard, isUnmatchedAdminRequest } from "@/lib/auth/guard.ts";
import { log } from "@/lib/log.ts";
import { captureError } from "@/lib/observability/sentry.ts";
import { acceptRequestId, withRequestId } from "@/lib/request_id.ts";
import { withHeaders } from "@/lib/response_headers.ts";

export interface RequestState {
  requestId: string;
}

export async function handler(req: Request, ctx: FreshContext<RequestState>): Promise<Response> {
  const requestId = acceptRequestId(req.headers.get("x-request-id"));
  ctx.state.requestId = requestId;
  const started = performance.now();
  return await withRequestId(requestId, async () => {
    let res: Response;
    try {
      res = await (isUnmatchedAdminRequest(ctx) ? adminGuard(req, ctx) : ctx.next());
    } catch (error) {
      // The framework renders the 500 page; report and log the failure here, with the id.
      captureError(error, { area: "route", route: ctx.route || "(none)", method: req.method });
      log.error("request failed", {
        method: req.method,
        route: ctx.route || "(none)",
        status: 500,
        error: (error as Error)?.name ?? "unknown",
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
      throw error;
    }
    res = withHeaders(res, { "x-request-id": requestId, "x-content-type-options": "nosniff" });
    const html = res.headers.get("content-type")?.startsWith("text/html");
    if (html && !res.headers.has("content-security-policy")) res = withSecurityHeaders(res);
    if (ctx.destination !== "static" && ctx.destination !== "internal") {
      log.info("request", {
        method: req.method,
        route: ctx.route || "(none)",
        status: res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
    }
    return res;
  });
}
