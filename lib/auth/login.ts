/**
 * Signing in: throttle, look up, verify, start a session. Unknown accounts, disabled accounts
 * and wrong passwords take the same path, the same work and get the same answer.
 * @module
 */
import { log } from "../log.ts";
import {
  type Account,
  EMAIL_MAX_LENGTH,
  findAccountByEmail,
  normaliseEmail,
  upgradePasswordHash,
} from "./accounts.ts";
import { PASSWORD_MAX_LENGTH, verifyAgainstDummy, verifyPassword } from "./passwords.ts";
import { type Session, startSession } from "./sessions.ts";
import { beginLoginAttempt, loginSucceeded } from "./throttle.ts";

export const LOGIN_FAILED_MESSAGE = "Wrong email or password.";

/** The message of a throttled sign-in, with the wait rounded up to whole minutes. */
export function throttledMessage(retryAfterMs: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return `Too many failed sign-in attempts. Please wait ${minutes} minute${
    minutes === 1 ? "" : "s"
  } before trying again.`;
}

export type SignInResult =
  | { kind: "signed-in"; token: string; session: Session; account: Account }
  | { kind: "failed" }
  | { kind: "throttled"; retryAfterMs: number };

export interface Credentials {
  email: string;
  password: string;
  /** `clientId(ctx.remoteAddr.hostname)`. */
  client: string;
}

/**
 * Checks credentials and starts a session.
 * @example
 * const result = await signIn(kv, { email, password, client: clientId(ctx.remoteAddr.hostname) });
 */
export async function signIn(
  kv: Deno.Kv,
  credentials: Credentials,
  now = Date.now(),
): Promise<SignInResult> {
  const email = normaliseEmail(credentials.email).slice(0, EMAIL_MAX_LENGTH + 1);
  const attempt = { email, client: credentials.client, at: now };
  const decision = await beginLoginAttempt(kv, attempt);
  if (decision.throttled) {
    log.warn("admin sign-in throttled", { retryAfterMs: decision.retryAfterMs });
    return { kind: "throttled", retryAfterMs: decision.retryAfterMs };
  }
  const { password } = credentials;
  // No account accepts an over-long password; the dummy keeps the work the same.
  const account = password.length > PASSWORD_MAX_LENGTH
    ? null
    : await findAccountByEmail(kv, email);
  const matches = account
    ? await verifyPassword(password, account.password)
    : await verifyAgainstDummy(password.slice(0, PASSWORD_MAX_LENGTH));
  if (!account || !matches || account.disabled) {
    log.info("admin sign-in failed", {});
    return { kind: "failed" };
  }
  await loginSucceeded(kv, attempt);
  await upgradePasswordHash(kv, account, password);
  const { token, session } = await startSession(kv, account.id, now);
  log.info("admin signed in", { account: account.id });
  return { kind: "signed-in", token, session, account };
}
