/**
 * The session cookie. `__Host-session` with `Secure` everywhere, except plain http on a
 * loopback host (`localhost`, `127.0.0.1`, `[::1]`) where browsers would drop a Secure cookie:
 * there it is `session` without `Secure`. Decided from the request URL, which is https behind
 * Deno Deploy.
 * @module
 */

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** True for plain http on a loopback host: the only place the cookie goes without Secure. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === "http:" && LOOPBACK.has(url.hostname);
}

export function sessionCookieName(url: URL): string {
  return isLoopbackHttp(url) ? "session" : "__Host-session";
}

function attributes(url: URL, maxAgeSeconds: number): string {
  const secure = isLoopbackHttp(url) ? "" : "; Secure";
  return `; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly${secure}; SameSite=Lax`;
}

/** The `Set-Cookie` value that stores `token` for `maxAgeSeconds`. */
export function sessionCookie(url: URL, token: string, maxAgeSeconds: number): string {
  return `${sessionCookieName(url)}=${token}${
    attributes(url, Math.max(0, Math.floor(maxAgeSeconds)))
  }`;
}

/** The `Set-Cookie` value that removes the cookie. */
export function clearedSessionCookie(url: URL): string {
  return `${sessionCookieName(url)}=${attributes(url, 0)}`;
}

/** The session token the request carries under the cookie name for its URL, if any. */
export function readSessionToken(req: Request, url: URL): string | undefined {
  const name = sessionCookieName(url);
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index === -1) continue;
    if (part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
