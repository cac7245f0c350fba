/**
 * Every request: a request id (honoured or made, returned as `X-Request-Id`, never in a body)
 * and one JSON log line with the route pattern — not the path, which may hold a set-up token —
 * the status and the duration.
 */
import type { FreshContext } from "$fresh/server.ts";
import { adminGuard, isUnmatchedAdminRequest } from "@/lib/auth/guard.ts";
import { log } from "@/lib/log.ts";
import { acceptRequestId, withRequestId } from "@/lib/request_id.ts";

export interface RequestState {
  requestId: string;
}

export async function handler(req: Request, ctx: FreshContext<RequestState>): Promise<Response> {
  const requestId = acceptRequestId(req.headers.get("x-request-id"));
  ctx.state.requestId = requestId;
  const started = performance.now();
  return await withRequestId(requestId, async () => {
    let res = await (isUnmatchedAdminRequest(ctx) ? adminGuard(req, ctx) : ctx.next());
    try {
      res.headers.set("x-request-id", requestId);
    } catch {
      // Responses such as Response.redirect() have immutable headers.
      res = new Response(res.body, res);
      res.headers.set("x-request-id", requestId);
    }
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
