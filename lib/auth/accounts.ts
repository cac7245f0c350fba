/**
 * Staff accounts. Owns `["account", id]` and the email index `["account_by_email", email]`.
 * Emails are compared normalised (trimmed, lower case); an account is an `admin` or a
 * `viewer`, may be disabled, and always keeps at least one enabled admin.
 * @module
 */
import { newId } from "../store/ids.ts";
import { hashPassword, needsRehash, type PasswordHash } from "./passwords.ts";

export const ROLES = ["admin", "viewer"] as const;
export type Role = typeof ROLES[number];

export interface Account {
  id: string;
  /** Normalised. */
  email: string;
  role: Role;
  disabled: boolean;
  password: PasswordHash;
  createdAt: string;
  updatedAt: string;
  /** Sessions started before this time (ms) are void: moved on password reset. */
  sessionsValidAfter: number;
}

/** An account without its password hash: what pages and lists get. */
export type AccountSummary = Omit<Account, "password">;

export interface NewAccount {
  email: string;
  password: string;
  role: Role;
}

export class AccountExistsError extends Error {
  constructor() {
    super("An account with this email already exists.");
  }
}

export class AccountNotFoundError extends Error {
  constructor() {
    super("No such account.");
  }
}

/** Refused: the change would leave no enabled admin to manage the app. */
export class LastAdminError extends Error {
  constructor() {
    super("This is the last enabled admin; add or enable another admin first.");
  }
}

const accountKey = (id: string) => ["account", id] as const;
const emailKey = (email: string) => ["account_by_email", email] as const;
const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;
export const EMAIL_MAX_LENGTH = 254;

/** The form an email is stored and looked up in. */
export function normaliseEmail(email: string): string {
  return email.normalize("NFC").trim().toLowerCase();
}

/** Whether `email` (normalised) looks like an address we can store. */
export function isEmailAddress(email: string): boolean {
  return email.length <= EMAIL_MAX_LENGTH && EMAIL.test(email);
}

export function isRole(value: unknown): value is Role {
  return ROLES.includes(value as Role);
}

export function summarise({ password: _password, ...summary }: Account): AccountSummary {
  return summary;
}

/** Builds a new account record (hashing the password); `addAccount` writes it. */
export async function newAccount(input: NewAccount, now = Date.now()): Promise<Account> {
  const email = normaliseEmail(input.email);
  if (!isEmailAddress(email)) throw new TypeError("not an email address");
  if (!isRole(input.role)) throw new TypeError("unknown role");
  const at = new Date(now).toISOString();
  return {
    id: newId(now),
    email,
    role: input.role,
    disabled: false,
    password: await hashPassword(input.password),
    createdAt: at,
    updatedAt: at,
    sessionsValidAfter: 0,
  };
}

/** Adds the writes of a new account to `op`; the commit fails if the email is taken. */
export function addAccount(op: Deno.AtomicOperation, account: Account): Deno.AtomicOperation {
  return op
    .check({ key: emailKey(account.email), versionstamp: null })
    .check({ key: accountKey(account.id), versionstamp: null })
    .set(emailKey(account.email), account.id)
    .set(accountKey(account.id), account);
}

/**
 * Creates an account.
 * @throws AccountExistsError when the (normalised) email is taken.
 * @example
 * await createAccount(kv, { email: "ops@example.com", password, role: "viewer" });
 */
export async function createAccount(kv: Deno.Kv, input: NewAccount): Promise<Account> {
  const account = await newAccount(input);
  const result = await addAccount(kv.atomic(), account).commit();
  if (!result.ok) throw new AccountExistsError();
  return account;
}

export async function getAccount(kv: Deno.Kv, id: string): Promise<Account | null> {
  return (await kv.get<Account>(accountKey(id))).value;
}

export async function findAccountByEmail(kv: Deno.Kv, email: string): Promise<Account | null> {
  const normalised = normaliseEmail(email);
  if (normalised.length > EMAIL_MAX_LENGTH) return null;
  const id = (await kv.get<string>(emailKey(normalised))).value;
  return id ? await getAccount(kv, id) : null;
}

export async function hasAnyAccount(kv: Deno.Kv): Promise<boolean> {
  for await (const _ of kv.list({ prefix: ["account"] }, { limit: 1 })) return true;
  return false;
}

/** Every account, oldest first (a small business has a handful). */
export async function listAccounts(kv: Deno.Kv): Promise<AccountSummary[]> {
  const out: AccountSummary[] = [];
  for await (const entry of kv.list<Account>({ prefix: ["account"] })) {
    out.push(summarise(entry.value));
  }
  return out;
}

/** Sets a new password and ends every session of the account. */
export async function setPassword(kv: Deno.Kv, id: string, password: string): Promise<Account> {
  const hash = await hashPassword(password);
  return await updateAccount(
    kv,
    id,
    (a, now) => ({ ...a, password: hash, sessionsValidAfter: now }),
  );
}

export async function setRole(kv: Deno.Kv, id: string, role: Role): Promise<Account> {
  if (!isRole(role)) throw new TypeError("unknown role");
  return await updateAccount(kv, id, (a) => ({ ...a, role }));
}

/** Disables (ending its sessions at once) or re-enables an account. */
export async function setDisabled(kv: Deno.Kv, id: string, disabled: boolean): Promise<Account> {
  return await updateAccount(kv, id, (a) => ({ ...a, disabled }));
}

/** Stores a stronger hash of a just-verified password when the parameters have been raised. */
export async function upgradePasswordHash(kv: Deno.Kv, account: Account, password: string) {
  if (!needsRehash(account.password)) return;
  const hash = await hashPassword(password);
  await updateAccount(kv, account.id, (a) => ({ ...a, password: hash }));
}

const isActiveAdmin = (a: Account) => a.role === "admin" && !a.disabled;

/** Read, change, write with a check; retried when a concurrent change wins. */
async function updateAccount(
  kv: Deno.Kv,
  id: string,
  change: (account: Account, now: number) => Account,
): Promise<Account> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get<Account>(accountKey(id));
    if (!entry.value) throw new AccountNotFoundError();
    const now = Date.now();
    const next = { ...change(entry.value, now), updatedAt: new Date(now).toISOString() };
    const op = kv.atomic().check(entry).set(accountKey(id), next);
    if (isActiveAdmin(entry.value) && !isActiveAdmin(next)) {
      const others = await otherActiveAdmins(kv, id);
      if (others.length === 0) throw new LastAdminError();
      // Two admins demoting each other at once must not both succeed.
      for (const other of others) op.check(other);
    }
    if ((await op.commit()).ok) return next;
  }
  throw new Error("account update kept conflicting");
}

async function otherActiveAdmins(kv: Deno.Kv, id: string): Promise<Deno.KvEntry<Account>[]> {
  const out: Deno.KvEntry<Account>[] = [];
  for await (const entry of kv.list<Account>({ prefix: ["account"] })) {
    if (entry.value.id !== id && isActiveAdmin(entry.value)) out.push(entry);
  }
  return out;
}
