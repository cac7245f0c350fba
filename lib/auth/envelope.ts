/**
 * The security envelope of every `/admin` response: headers (CSP without inline scripts,
 * no framing, no sniffing, no referrer leaks, no caching) and the `Origin` check that stands
 * in for CSRF tokens on state-changing requests.
 * @module
 */
import { withHeaders } from "../response_headers.ts";

export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join("; ");

export const ADMIN_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": ADMIN_CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

/**
 * A route that serves a sandboxed frame (the email preview's HTML) sets its own stricter CSP with
 * `sandbox`; it keeps it, and may be framed by the admin itself.
 */
function headersFor(response: Response): Readonly<Record<string, string>> {
  const own = response.headers.get("Content-Security-Policy");
  if (!own?.split(";").some((d) => d.trim() === "sandbox")) return ADMIN_SECURITY_HEADERS;
  return {
    ...ADMIN_SECURITY_HEADERS,
    "Content-Security-Policy": own,
    "X-Frame-Options": "SAMEORIGIN",
  };
}

/** `response` with the admin security headers set (copied first when its headers are frozen). */
export function withSecurityHeaders(response: Response): Response {
  return withHeaders(response, headersFor(response));
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** POST, PUT, PATCH, DELETE and anything else that is not a read. */
export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Whether the request's `Origin` is this app: the request URL's origin, the configured public
 * URL's, or https on the same host (a TLS-terminating proxy in front of plain http). A missing
 * or `null` Origin fails: browsers send it on every POST.
 */
export function isSameOrigin(req: Request, url: URL, publicUrl?: string): boolean {
  const origin = req.headers.get("origin");
  if (!origin || origin === "null") return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === url.origin) return true;
  if (publicUrl && parsed.origin === new URL(publicUrl).origin) return true;
  return parsed.protocol === "https:" && parsed.host === url.host;
}
