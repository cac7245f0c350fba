/**
 * The guard of everything under `/admin`: the `Origin` check on state-changing requests (403),
 * the session (`ctx.state.user`, `ctx.state.session`), sign-in required everywhere but the
 * login and set-up pages (pages: 303 to the login page; API and streams: 401 JSON), role
 * errors thrown by handlers answered with 403, and the security headers on every response.
 */
import type { FreshContext } from "$fresh/server.ts";
import { services } from "../app.ts";
import { clearedSessionCookie, readSessionToken } from "./cookie.ts";
import { isSameOrigin, isStateChanging, withSecurityHeaders } from "./envelope.ts";
import { loginPathFor } from "./redirect.ts";
import { type AdminState, ForbiddenError, UnauthenticatedError } from "./roles.ts";
import { authenticate } from "./sessions.ts";

/** Pages reachable without a session. Everything else under /admin needs one. */
export function isPublicAdminPath(pathname: string): boolean {
  return pathname === "/admin/login" || /^\/admin\/setup\/[^/]+$/.test(pathname);
}

/** API and stream clients get status codes, not redirects to an HTML page. */
function wantsMachineAnswer(req: Request, url: URL): boolean {
  const accept = req.headers.get("accept") ?? "";
  return url.pathname.startsWith("/admin/api/") || accept.includes("application/json") ||
    accept.includes("text/event-stream");
}

function denied(req: Request, url: URL, status: 401 | 403, message: string): Response {
  if (wantsMachineAnswer(req, url)) {
    return Response.json({ error: status === 401 ? "unauthenticated" : "forbidden", message }, {
      status,
    });
  }
  return new Response(message, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

function toLogin(req: Request, url: URL, clearCookie: boolean): Response {
  if (wantsMachineAnswer(req, url)) return denied(req, url, 401, "Sign in first.");
  const location = req.method === "GET" ? loginPathFor(url) : "/admin/login";
  const headers = new Headers({ Location: location });
  if (clearCookie) headers.append("Set-Cookie", clearedSessionCookie(url));
  return new Response(null, { status: 303, headers });
}

/** What the guard needs of `ctx`: any middleware's context fits, whatever its state type. */
export type GuardContext = Pick<FreshContext, "url" | "next" | "destination"> & { state: object };

/**
 * True for a request under /admin that no route matched. Middlewares follow the matched route,
 * so routes/admin/_middleware.ts never sees these; the root middleware passes them to
 * `adminGuard` instead, so unknown admin paths need a session too and carry the headers.
 */
export function isUnmatchedAdminRequest(ctx: Pick<FreshContext, "url" | "destination">): boolean {
  const { pathname } = ctx.url;
  return ctx.destination === "notFound" &&
    (pathname === "/admin" || pathname.startsWith("/admin/"));
}

async function guard(req: Request, ctx: GuardContext): Promise<Response> {
  const { url } = ctx;
  const state = ctx.state as AdminState;
  const { kv, config } = services();
  if (isStateChanging(req.method) && !isSameOrigin(req, url, config.publicUrl)) {
    return denied(req, url, 403, "Cross-site request refused.");
  }
  const token = readSessionToken(req, url);
  const signedIn = token ? await authenticate(kv, token) : null;
  if (signedIn) {
    state.user = signedIn.user;
    state.session = signedIn.session;
  } else if (!isPublicAdminPath(url.pathname)) {
    return toLogin(req, url, token !== undefined);
  }
  try {
    return await ctx.next();
  } catch (error) {
    if (error instanceof ForbiddenError) return denied(req, url, 403, error.message);
    if (error instanceof UnauthenticatedError) return toLogin(req, url, false);
    throw error;
  }
}

/**
 * The `/admin` middleware (routes/admin/_middleware.ts exports it as `handler`).
 * @example
 * export { adminGuard as handler } from "@/lib/auth/guard.ts";
 */
export async function adminGuard(req: Request, ctx: GuardContext): Promise<Response> {
  return withSecurityHeaders(await guard(req, ctx));
}
