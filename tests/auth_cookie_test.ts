import assert from "node:assert/strict";
import { createAccount } from "@/lib/auth/accounts.ts";
import { isLoopbackHttp, readSessionToken, sessionCookie } from "@/lib/auth/cookie.ts";
import { startTestApp } from "./helpers/app.ts";
import { TEST_PASSWORD } from "./helpers/admin.ts";

/** Signs in through the app at `base` and returns the Set-Cookie header. */
async function setCookieAt(base: string): Promise<string> {
  const app = await startTestApp();
  try {
    await createAccount(app.kv, { email: "c@example.com", password: TEST_PASSWORD, role: "admin" });
    const res = await app.request(
      new Request(new URL("/admin/login", base), {
        method: "POST",
        headers: {
          origin: new URL(base).origin,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ email: "c@example.com", password: TEST_PASSWORD }),
      }),
    );
    assert.equal(res.status, 303);
    return res.headers.get("set-cookie")!;
  } finally {
    app.close();
  }
}

Deno.test("[auth] cookie over https: __Host-session; HttpOnly; Secure; SameSite=Lax; Path=/", async () => {
  const cookie = await setCookieAt("https://bookings.example.com");
  assert.match(cookie, /^__Host-session=[A-Za-z0-9_-]{43}; /);
  const attributes = cookie.split("; ").slice(1);
  assert.ok(attributes.includes("HttpOnly"));
  assert.ok(attributes.includes("Secure"));
  assert.ok(attributes.includes("SameSite=Lax"));
  assert.ok(attributes.includes("Path=/"));
  assert.ok(!attributes.some((a) => a.startsWith("Domain")), "__Host- forbids Domain");
});

Deno.test("[auth] cookie over plain http on loopback: `session`, without Secure", async (t) => {
  for (const base of ["http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000"]) {
    await t.step(base, async () => {
      const cookie = await setCookieAt(base);
      assert.match(cookie, /^session=[A-Za-z0-9_-]{43}; /);
      const attributes = cookie.split("; ").slice(1);
      assert.ok(attributes.includes("HttpOnly"));
      assert.ok(attributes.includes("SameSite=Lax"));
      assert.ok(attributes.includes("Path=/"));
      assert.ok(!attributes.includes("Secure"));
    });
  }
});

Deno.test("[auth] cookie over plain http elsewhere stays __Host- and Secure", async (t) => {
  for (
    const base of [
      "http://bookings.example.com",
      "http://192.168.1.20:8000",
      "http://localhost.evil.example",
    ]
  ) {
    await t.step(base, async () => {
      const cookie = await setCookieAt(base);
      assert.match(cookie, /^__Host-session=/);
      assert.ok(cookie.split("; ").includes("Secure"));
    });
  }
  assert.equal(isLoopbackHttp(new URL("https://localhost")), false);
});

Deno.test("[auth] only the cookie name for the request's URL is read", () => {
  const token = "A".repeat(43);
  const https = new URL("https://bookings.example.com/admin");
  const local = new URL("http://localhost:8000/admin");
  const both = new Request(https, { headers: { cookie: `session=${token}; other=1` } });
  assert.equal(
    readSessionToken(both, https),
    undefined,
    "a plain `session` cookie is ignored on https",
  );
  const right = new Request(https, { headers: { cookie: `a=b; __Host-session=${token}` } });
  assert.equal(readSessionToken(right, https), token);
  assert.equal(
    readSessionToken(new Request(local, { headers: { cookie: `session=${token}` } }), local),
    token,
  );
  assert.match(sessionCookie(local, token, 60), /Max-Age=60/);
});
