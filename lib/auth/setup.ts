/**
 * First-run set-up. Owns `["setup_token", digest]`: one-time links that let the first person
 * create the first admin. Tokens are stored as digests, expire after a day, are consumed in the
 * same atomic commit that creates the account, and stop working once any account exists.
 * @module
 */
import type { Config } from "../config.ts";
import {
  type Account,
  AccountExistsError,
  addAccount,
  createAccount,
  hasAnyAccount,
  newAccount,
} from "./accounts.ts";
import { newToken, tokenDigest } from "./encoding.ts";

export const SETUP_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
const tokenKey = (digest: string) => ["setup_token", digest] as const;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

interface SetupTokenRecord {
  expiresAt: number;
}

/** A new one-time set-up token (the secret part of the link). */
export async function createSetupToken(kv: Deno.Kv, now = Date.now()): Promise<string> {
  const token = newToken();
  const record: SetupTokenRecord = { expiresAt: now + SETUP_TOKEN_TTL_MS };
  await kv.set(tokenKey(await tokenDigest(token)), record, { expireIn: SETUP_TOKEN_TTL_MS });
  return token;
}

async function liveToken(kv: Deno.Kv, token: string, now: number) {
  if (!TOKEN.test(token)) return null;
  const entry = await kv.get<SetupTokenRecord>(tokenKey(await tokenDigest(token)));
  if (!entry.value || now >= entry.value.expiresAt) return null;
  if (await hasAnyAccount(kv)) return null;
  return entry;
}

/** Whether `token` can still create the first admin. */
export async function isSetupTokenUsable(
  kv: Deno.Kv,
  token: string,
  now = Date.now(),
): Promise<boolean> {
  return (await liveToken(kv, token, now)) !== null;
}

/**
 * Creates the first admin with `token`, consuming it. Null when the token is unknown, expired,
 * used, or an account already exists.
 * @throws AccountExistsError in the unlikely race with another way of creating that email.
 */
export async function completeSetup(
  kv: Deno.Kv,
  token: string,
  input: { email: string; password: string },
  now = Date.now(),
): Promise<Account | null> {
  const entry = await liveToken(kv, token, now);
  if (!entry) return null;
  const account = await newAccount({ ...input, role: "admin" }, now);
  const op = kv.atomic().check(entry).delete(entry.key);
  const result = await addAccount(op, account).commit();
  if (result.ok) return account;
  if ((await kv.get(entry.key)).versionstamp !== entry.versionstamp) return null;
  throw new AccountExistsError();
}

export type BootstrapResult =
  | { kind: "exists" }
  | { kind: "created"; email: string }
  | { kind: "setup"; url: string };

/**
 * Start-up: with no account yet, create the admin from `ADMIN_EMAIL`/`ADMIN_PASSWORD`, or make
 * a one-time set-up link for the operator to open. Never changes an existing account.
 */
export async function bootstrapFirstAdmin(kv: Deno.Kv, config: Config): Promise<BootstrapResult> {
  if (await hasAnyAccount(kv)) return { kind: "exists" };
  if (config.admin) {
    try {
      const account = await createAccount(kv, { ...config.admin, role: "admin" });
      return { kind: "created", email: account.email };
    } catch (error) {
      if (error instanceof AccountExistsError) return { kind: "exists" };
      throw error;
    }
  }
  const token = await createSetupToken(kv);
  return { kind: "setup", url: `${config.publicUrl}/admin/setup/${token}` };
}

/** The start-up line for the operator. The set-up link is a one-time secret meant for them. */
export function describeBootstrap(result: BootstrapResult): string | undefined {
  if (result.kind === "created") return "Admin account created from ADMIN_EMAIL/ADMIN_PASSWORD.";
  if (result.kind === "setup") {
    return `Admin set-up: ${result.url} (one-time link, valid 24 hours; a restart prints a new one)`;
  }
  return undefined;
}
