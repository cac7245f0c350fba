/**
 * Where a dashboard form post sends the browser back to: only an admin path of this site, so a
 * forged `return` field cannot turn the redirect into an open one.
 * @module
 */

/**
 * @example adminReturnPath("/admin/bookings/abc") // "/admin/bookings/abc"
 * @example adminReturnPath("https://evil.example") // "/admin"
 */
export function adminReturnPath(value: string | null, fallback = "/admin"): string {
  if (value === null) return fallback;
  const safe = /^\/admin(\/[\w\-.~%/]*)?(\?[\w\-.~%=&]*)?$/.test(value) && !value.includes("//");
  return safe ? value : fallback;
}
