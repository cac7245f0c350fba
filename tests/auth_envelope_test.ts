import assert from "node:assert/strict";
import { ADMIN_CSP } from "@/lib/auth/envelope.ts";
import { startTestApp } from "./helpers/app.ts";
import { adminHeaders, formPost, signIn, TEST_PASSWORD } from "./helpers/admin.ts";
import { createAccount } from "@/lib/auth/accounts.ts";

const EXPECTED_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; " +
  "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; " +
  "frame-ancestors 'none'; object-src 'none'";

function assertSecurityHeaders(res: Response, what: string) {
  assert.equal(res.headers.get("content-security-policy"), EXPECTED_CSP, what);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", what);
  assert.equal(res.headers.get("referrer-policy"), "same-origin", what);
  assert.equal(res.headers.get("x-frame-options"), "DENY", what);
  assert.equal(res.headers.get("cache-control"), "no-store", what);
}

Deno.test("[auth] Origin: state-changing requests from another site get 403", async (t) => {
  const app = await startTestApp();
  try {
    const cookie = await signIn(app);
    const cases: Array<[string, Record<string, string>]> = [
      ["cross-site", { origin: "https://evil.example" }],
      ["missing Origin", {}],
      ["Origin null", { origin: "null" }],
      ["another port", { origin: "http://localhost:9999" }],
      ["https look-alike host", { origin: "https://localhost.evil.example" }],
    ];
    for (const [name, headers] of cases) {
      await t.step(name, async () => {
        for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
          const res = await app.fetch("/admin/logout", { method, headers: { cookie, ...headers } });
          assert.equal(res.status, 403, `${method} ${name}`);
          assertSecurityHeaders(res, name);
          await res.body?.cancel();
        }
      });
    }
    // The session survived every refused logout.
    assert.equal((await app.fetch("/admin", { headers: { cookie } })).status, 200);
  } finally {
    app.close();
  }
});

Deno.test("[auth] Origin: login is checked too, before any password work", async () => {
  const app = await startTestApp();
  try {
    await createAccount(app.kv, { email: "o@example.com", password: TEST_PASSWORD, role: "admin" });
    const fields = new URLSearchParams({ email: "o@example.com", password: TEST_PASSWORD });
    const res = await app.fetch("/admin/login", {
      method: "POST",
      headers: {
        origin: "https://evil.example",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: fields,
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("set-cookie"), null);
    const failures = [];
    for await (const entry of app.kv.list({ prefix: ["login_failure"] })) failures.push(entry);
    assert.equal(failures.length, 0, "a refused request is not a sign-in attempt");
  } finally {
    app.close();
  }
});

Deno.test("[auth] Origin: the app's own origins pass", async () => {
  const app = await startTestApp({ PUBLIC_URL: "https://bookings.example.com" });
  try {
    for (
      const origin of ["http://localhost", "https://bookings.example.com", "https://localhost"]
    ) {
      const cookie = await signIn(app);
      const res = await app.fetch("/admin/logout", { method: "POST", headers: { cookie, origin } });
      assert.equal(res.status, 303, origin);
    }
  } finally {
    app.close();
  }
});

Deno.test("[auth] security headers on every /admin answer", async (t) => {
  const app = await startTestApp();
  try {
    const cookie = await signIn(app);
    const answers: Array<[string, Promise<Response>]> = [
      ["login page", app.fetch("/admin/login")],
      ["failed sign-in", app.fetch("/admin/login", formPost({ email: "x@example.com" }))],
      ["redirect to login", app.fetch("/admin")],
      ["401 JSON", app.fetch("/admin/api/anything", { headers: { accept: "application/json" } })],
      ["unknown admin path, signed out", app.fetch("/admin/no-such-page")],
      ["unknown admin path, signed in", app.fetch("/admin/no-such-page", { headers: { cookie } })],
      ["signed-in page", app.fetch("/admin", { headers: { cookie } })],
      ["set-up link 404", app.fetch("/admin/setup/unknown")],
      ["logout", app.fetch("/admin/logout", { method: "POST", headers: adminHeaders(cookie) })],
    ];
    for (const [name, pending] of answers) {
      await t.step(name, async () => {
        const res = await pending;
        assertSecurityHeaders(res, name);
        await res.body?.cancel();
      });
    }
    assert.equal(ADMIN_CSP, EXPECTED_CSP);
  } finally {
    app.close();
  }
});

Deno.test("[auth] unknown admin paths need a session too", async () => {
  const app = await startTestApp();
  try {
    const signedOut = await app.fetch("/admin/no-such-page");
    assert.equal(signedOut.status, 303);
    assert.equal(signedOut.headers.get("location"), "/admin/login?next=%2Fadmin%2Fno-such-page");
    const cookie = await signIn(app);
    const signedIn = await app.fetch("/admin/no-such-page", { headers: { cookie } });
    assert.equal(signedIn.status, 404);
    await signedIn.body?.cancel();
  } finally {
    app.close();
  }
});
