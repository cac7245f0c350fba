import assert from "node:assert/strict";
import {
  constantTimeEqual,
  hashPassword,
  needsRehash,
  passwordProblem,
  PBKDF2_ITERATIONS,
  verifyAgainstDummy,
  verifyPassword,
} from "@/lib/auth/passwords.ts";
import { decodeBase64 } from "@/lib/auth/encoding.ts";

Deno.test("[auth] passwords are PBKDF2-SHA256, at least 600,000 iterations, salted per hash", async () => {
  const a = await hashPassword("correct horse battery staple");
  const b = await hashPassword("correct horse battery staple");
  assert.equal(a.algorithm, "PBKDF2-SHA256");
  assert.ok(a.iterations >= 600_000);
  assert.equal(a.iterations, PBKDF2_ITERATIONS);
  assert.equal(decodeBase64(a.salt).length, 16);
  assert.equal(decodeBase64(a.hash).length, 32);
  assert.notEqual(a.salt, b.salt);
  assert.notEqual(a.hash, b.hash);
  assert.doesNotMatch(JSON.stringify(a), /horse/);
});

Deno.test("[auth] verifyPassword accepts the password and nothing else", async () => {
  const stored = await hashPassword("correct horse battery staple");
  assert.equal(await verifyPassword("correct horse battery staple", stored), true);
  assert.equal(await verifyPassword("correct horse battery stapl", stored), false);
  assert.equal(await verifyPassword("Correct horse battery staple", stored), false);
  assert.equal(await verifyPassword("", stored), false);
  assert.equal(await verifyAgainstDummy("correct horse battery staple"), false);
});

Deno.test("[auth] stored parameters verify later and older ones ask for a rehash", async () => {
  // A hash made when the work factor was lower (as a stored record would hold it).
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode("an older password"),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: 1000 },
    key,
    256,
  );
  const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  const old = {
    algorithm: "PBKDF2-SHA256" as const,
    iterations: 1000,
    salt: toBase64(salt),
    hash: toBase64(new Uint8Array(bits)),
  };
  assert.equal(await verifyPassword("an older password", old), true);
  assert.equal(needsRehash(old), true);
  assert.equal(needsRehash(await hashPassword("x".repeat(12))), false);
});

Deno.test("[auth] constantTimeEqual compares whole byte strings", () => {
  assert.equal(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])), true);
  assert.equal(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])), false);
  assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])), false);
  assert.equal(constantTimeEqual(new Uint8Array([]), new Uint8Array([0])), false);
  assert.equal(constantTimeEqual(new Uint8Array([]), new Uint8Array([])), true);
});

Deno.test("[auth] new passwords need 12 to 1024 characters", () => {
  assert.match(passwordProblem("short")!, /at least 12/);
  assert.equal(passwordProblem("twelve chars"), undefined);
  assert.match(passwordProblem("x".repeat(1025))!, /at most 1024/);
});
