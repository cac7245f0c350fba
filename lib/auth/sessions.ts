/**
 * Staff sessions. Owns `["session", digest]`. The browser holds a random 256-bit token; KV holds
 * only its SHA-256 digest, so a copy of the database cannot be used to sign in. A session ends
 * after `idleMs` without requests or `absoluteMs` after sign-in, whichever comes first: KV's
 * `expireIn` removes the record eventually, and every read checks the timestamps itself.
 * @module
 */
import { type Account, getAccount, type Role } from "./accounts.ts";
import { newToken, tokenDigest } from "./encoding.ts";

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

const HOUR = 60 * 60 * 1000;
/** A working day idle, a week at most: staff sign in about once a week. */
export const SESSION_POLICY: SessionPolicy = { idleMs: 12 * HOUR, absoluteMs: 7 * 24 * HOUR };
/** Requests closer together than this do not rewrite the session (one write a minute at most). */
const TOUCH_INTERVAL_MS = 60 * 1000;

interface SessionRecord {
  accountId: string;
  createdAt: number;
  lastSeenAt: number;
  /** createdAt + absoluteMs. */
  expiresAt: number;
}

/** A live session: its storage id (the token's digest) and when it ends at the latest. */
export interface Session {
  id: string;
  accountId: string;
  createdAt: number;
  expiresAt: number;
}

/** The signed-in person as routes see it (`ctx.state.user`). */
export interface SessionUser {
  id: string;
  email: string;
  role: Role;
}

const sessionKey = (id: string) => ["session", id] as const;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function expireIn(record: SessionRecord, now: number, policy: SessionPolicy): number {
  return Math.max(1, Math.min(policy.idleMs, record.expiresAt - now));
}

/**
 * Starts a session; the returned token goes into the cookie and nowhere else.
 * @example
 * const { token, session } = await startSession(kv, account.id);
 */
export async function startSession(
  kv: Deno.Kv,
  accountId: string,
  now = Date.now(),
  policy = SESSION_POLICY,
): Promise<{ token: string; session: Session }> {
  const token = newToken();
  const id = await tokenDigest(token);
  const record: SessionRecord = {
    accountId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + policy.absoluteMs,
  };
  await kv.set(sessionKey(id), record, { expireIn: expireIn(record, now, policy) });
  return { token, session: { id, ...record } };
}

/** The live session of `token`, touching it; null when unknown, idle too long or too old. */
export async function readSession(
  kv: Deno.Kv,
  token: string,
  now = Date.now(),
  policy = SESSION_POLICY,
): Promise<Session | null> {
  if (!TOKEN.test(token)) return null;
  const id = await tokenDigest(token);
  const entry = await kv.get<SessionRecord>(sessionKey(id));
  const record = entry.value;
  if (!record) return null;
  if (now >= record.expiresAt || now - record.lastSeenAt >= policy.idleMs) {
    await kv.atomic().check(entry).delete(sessionKey(id)).commit();
    return null;
  }
  if (now - record.lastSeenAt >= TOUCH_INTERVAL_MS) {
    const touched = { ...record, lastSeenAt: now };
    // A lost race means another request just touched it: fine either way.
    await kv.atomic().check(entry).set(sessionKey(id), touched, {
      expireIn: expireIn(touched, now, policy),
    }).commit();
  }
  const { accountId, createdAt, expiresAt } = record;
  return { id, accountId, createdAt, expiresAt };
}

/**
 * The person behind `token`: a live session of an enabled account whose password has not been
 * reset since the session started. Null otherwise.
 */
export async function authenticate(
  kv: Deno.Kv,
  token: string,
  now = Date.now(),
  policy = SESSION_POLICY,
): Promise<{ user: SessionUser; session: Session; account: Account } | null> {
  const session = await readSession(kv, token, now, policy);
  if (!session) return null;
  const account = await getAccount(kv, session.accountId);
  if (!account || account.disabled || session.createdAt < account.sessionsValidAfter) {
    return null;
  }
  return { user: { id: account.id, email: account.email, role: account.role }, session, account };
}

/** Ends a session by its id (`ctx.state.session.id`). */
export async function endSession(kv: Deno.Kv, id: string): Promise<void> {
  await kv.delete(sessionKey(id));
}
