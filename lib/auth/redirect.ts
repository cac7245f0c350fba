/**
 * Where to go after signing in: only a page of this app's admin, as a relative path. Anything
 * that could leave the origin (`//evil`, `/\evil`, `https://…`, control characters that URL
 * parsing strips, `..` that climbs out) falls back to `/admin`.
 * @module
 */

export const ADMIN_HOME = "/admin";
const BASE = "http://next.invalid";
// Control characters are the point: URL parsing drops tabs and newlines ("/\t/evil" → "//evil").
// deno-lint-ignore no-control-regex
const UNSAFE = /[\\\u0000-\u001f\u007f]/;
const NOT_A_DESTINATION = /^\/admin\/(login|logout|setup)(\/|$)/;

/**
 * The path to send a signed-in user to, from an untrusted `next` parameter.
 * @example
 * safeNextPath("/admin/bookings?status=cancelled"); // "/admin/bookings?status=cancelled"
 * safeNextPath("//evil.example/admin"); // "/admin"
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || next.length > 2048 || UNSAFE.test(next)) return ADMIN_HOME;
  if (!next.startsWith("/") || next.startsWith("//")) return ADMIN_HOME;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return ADMIN_HOME;
  }
  if (url.origin !== BASE) return ADMIN_HOME;
  const { pathname } = url;
  if (pathname !== ADMIN_HOME && !pathname.startsWith(ADMIN_HOME + "/")) return ADMIN_HOME;
  if (NOT_A_DESTINATION.test(pathname)) return ADMIN_HOME;
  return pathname + url.search;
}

/** The login page that returns to `url` afterwards (the admin home needs no `next`). */
export function loginPathFor(url: URL): string {
  const next = safeNextPath(url.pathname + url.search);
  return next === ADMIN_HOME ? "/admin/login" : `/admin/login?next=${encodeURIComponent(next)}`;
}
