import assert from "node:assert/strict";
import { createAccount, setDisabled, setPassword, setRole } from "@/lib/auth/accounts.ts";
import { authenticate, readSession, SESSION_POLICY, startSession } from "@/lib/auth/sessions.ts";
import { startTestApp } from "./helpers/app.ts";
import { adminHeaders, signInAs, TEST_PASSWORD } from "./helpers/admin.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const policy = { idleMs: 2 * HOUR, absoluteMs: 10 * HOUR };

async function withKv(fn: (kv: Deno.Kv, accountId: string) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    const account = await createAccount(kv, {
      email: "s@example.com",
      password: TEST_PASSWORD,
      role: "viewer",
    });
    await fn(kv, account.id);
  } finally {
    kv.close();
  }
}

Deno.test("[auth] sessions are random 256-bit tokens stored only as digests", () =>
  withKv(async (kv, accountId) => {
    const a = await startSession(kv, accountId);
    const b = await startSession(kv, accountId);
    assert.match(a.token, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a.token, b.token);
    const stored = [];
    for await (const entry of kv.list({ prefix: ["session"] })) stored.push(entry);
    assert.equal(stored.length, 2);
    assert.doesNotMatch(JSON.stringify(stored), new RegExp(a.token));
    assert.doesNotMatch(JSON.stringify(stored), new RegExp(b.token));
    assert.equal(await readSession(kv, "not-a-token"), null);
  }));

Deno.test("[auth] a session ends after the idle time without requests", () =>
  withKv(async (kv, accountId) => {
    const t0 = Date.now();
    const { token } = await startSession(kv, accountId, t0, policy);
    assert.ok(await readSession(kv, token, t0 + 2 * HOUR - 1, policy));
    // That read touched it: idle time counts from there.
    assert.ok(await readSession(kv, token, t0 + 4 * HOUR - 2, policy));
    assert.equal(await readSession(kv, token, t0 + 6 * HOUR, policy), null);
    assert.equal(await readSession(kv, token, t0 + 4 * HOUR - 2, policy), null, "deleted for good");
  }));

Deno.test("[auth] a session ends at its absolute expiry however busy it is", () =>
  withKv(async (kv, accountId) => {
    const t0 = Date.now();
    const { token } = await startSession(kv, accountId, t0, policy);
    for (let t = t0 + HOUR; t < t0 + 10 * HOUR; t += HOUR) {
      assert.ok(await readSession(kv, token, t, policy), `alive after ${(t - t0) / HOUR} h`);
    }
    assert.equal(await readSession(kv, token, t0 + 10 * HOUR, policy), null);
  }));

Deno.test("[auth] the default policy: 12 hours idle, 7 days at most", () => {
  assert.equal(SESSION_POLICY.idleMs, 12 * HOUR);
  assert.equal(SESSION_POLICY.absoluteMs, 7 * 24 * HOUR);
});

Deno.test("[auth] password reset and disabling end sessions; role changes apply at once", () =>
  withKv(async (kv, accountId) => {
    await createAccount(kv, { email: "boss@example.com", password: TEST_PASSWORD, role: "admin" });
    const first = await startSession(kv, accountId);
    assert.equal((await authenticate(kv, first.token))?.user.role, "viewer");
    await setRole(kv, accountId, "admin");
    assert.equal((await authenticate(kv, first.token))?.user.role, "admin");
    await setPassword(kv, accountId, "a brand new password");
    assert.equal(await authenticate(kv, first.token), null);
    const second = await startSession(kv, accountId, Date.now() + 1);
    assert.ok(await authenticate(kv, second.token, Date.now() + 1));
    await setDisabled(kv, accountId, true);
    assert.equal(await authenticate(kv, second.token, Date.now() + 1), null);
  }));

Deno.test("[auth] logout ends the session: the old cookie no longer works", async () => {
  const app = await startTestApp();
  try {
    const { cookie } = await signInAs(app);
    assert.equal((await app.fetch("/admin", { headers: adminHeaders(cookie) })).status, 200);
    const out = await app.fetch("/admin/logout", { method: "POST", headers: adminHeaders(cookie) });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get("location"), "/admin/login");
    assert.match(
      out.headers.get("set-cookie")!,
      /^session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/,
    );
    const after = await app.fetch("/admin", { headers: adminHeaders(cookie) });
    assert.equal(after.status, 303);
    assert.equal(after.headers.get("location"), "/admin/login");
    const get = await app.fetch("/admin/logout", { headers: adminHeaders(cookie) });
    assert.equal(get.status, 303, "signed out, any admin URL goes to the login page");
  } finally {
    app.close();
  }
});
