/**
 * Signed-in requests for admin tests: accounts and sessions made directly through lib/auth,
 * so a test pays for one password hash, not a sign-in round trip.
 *
 * @example
 * const cookie = await signIn(app, { role: "viewer" });
 * const res = await app.fetch("/admin/api/bookings", { headers: adminHeaders(cookie) });
 * const post = await app.fetch("/admin/logout", { method: "POST", headers: adminHeaders(cookie) });
 */
import { type Account, createAccount, type Role } from "@/lib/auth/accounts.ts";
import { startSession } from "@/lib/auth/sessions.ts";
import type { TestApp } from "./app.ts";

/** The origin of `app.fetch` requests (`http://localhost`): what the Origin check expects. */
export const APP_ORIGIN = "http://localhost";
export const TEST_PASSWORD = "correct horse battery staple";

export interface SignInOptions {
  role?: Role;
  email?: string;
  password?: string;
}

let counter = 0;

/** Creates an account with `role` (default admin) and returns its `Cookie` header value. */
export async function signIn(app: TestApp, options: SignInOptions = {}): Promise<string> {
  return (await signInAs(app, options)).cookie;
}

/** Like `signIn`, with the account too. */
export async function signInAs(
  app: TestApp,
  options: SignInOptions = {},
): Promise<{ cookie: string; account: Account }> {
  const role = options.role ?? "admin";
  const account = await createAccount(app.kv, {
    email: options.email ?? `${role}${++counter}-${crypto.randomUUID().slice(0, 8)}@example.com`,
    password: options.password ?? TEST_PASSWORD,
    role,
  });
  const { token } = await startSession(app.kv, account.id);
  // app.fetch uses http://localhost: the loopback cookie name.
  return { cookie: `session=${token}`, account };
}

/** Headers for an admin request: the cookie (if any), a same-origin `Origin`, and `extra`. */
export function adminHeaders(cookie?: string, extra: HeadersInit = {}): Headers {
  const headers = new Headers(extra);
  if (cookie) headers.set("cookie", cookie);
  if (!headers.has("origin")) headers.set("origin", APP_ORIGIN);
  return headers;
}

/** A same-origin urlencoded form POST, as a browser sends it. */
export function formPost(fields: Record<string, string>, cookie?: string): RequestInit {
  return {
    method: "POST",
    headers: adminHeaders(cookie, { "content-type": "application/x-www-form-urlencoded" }),
    body: new URLSearchParams(fields).toString(),
  };
}
