/**
 * Password hashing: PBKDF2-SHA256 through WebCrypto, a random salt per hash, and the parameters
 * stored beside the hash so the work factor can be raised later (`needsRehash`). Comparison of
 * the derived bits is constant time.
 * @module
 */
import { decodeBase64, encodeBase64 } from "./encoding.ts";

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; never hash with less. */
export const PBKDF2_ITERATIONS = 600_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;

/** A stored password: everything needed to verify it again, nothing that reveals it. */
export interface PasswordHash {
  algorithm: "PBKDF2-SHA256";
  iterations: number;
  /** Base64. */
  salt: string;
  /** Base64 of the derived 256 bits. */
  hash: string;
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password.normalize("NFC")),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BITS,
  );
  return new Uint8Array(bits);
}

/**
 * Hashes a password with a fresh salt.
 *
 * @example
 * const stored = await hashPassword("correct horse battery staple");
 */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return {
    algorithm: "PBKDF2-SHA256",
    iterations: PBKDF2_ITERATIONS,
    salt: encodeBase64(salt),
    hash: encodeBase64(hash),
  };
}

/**
 * Whether `password` matches `stored`, using the parameters stored with it.
 *
 * @example
 * if (await verifyPassword(form.password, account.password)) { ... }
 */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (stored.algorithm !== "PBKDF2-SHA256") return false;
  const expected = decodeBase64(stored.hash);
  const actual = await derive(password, decodeBase64(stored.salt), stored.iterations);
  return constantTimeEqual(actual, expected);
}

/** True when `stored` was made with weaker parameters than today's: rehash on next sign-in. */
export function needsRehash(stored: PasswordHash): boolean {
  return stored.algorithm !== "PBKDF2-SHA256" || stored.iterations < PBKDF2_ITERATIONS;
}

let dummy: Promise<PasswordHash> | undefined;

/**
 * Does the work of one verification against a hash nobody has, so a sign-in for an unknown or
 * disabled account costs the same time as a wrong password.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(crypto.randomUUID());
  await verifyPassword(password, await dummy);
  return false;
}

/** Compares two byte strings in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    difference |= (a[i % a.length] ?? 0) ^ (b[i % b.length] ?? 0);
  }
  return difference === 0;
}

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

/** What is wrong with a new password, in words for the person choosing it; undefined if fine. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `Choose a password of at least ${PASSWORD_MIN_LENGTH} characters.`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return `Choose a password of at most ${PASSWORD_MAX_LENGTH} characters.`;
  }
  return undefined;
}
