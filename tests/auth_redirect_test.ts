import assert from "node:assert/strict";
import { createAccount } from "@/lib/auth/accounts.ts";
import { safeNextPath } from "@/lib/auth/redirect.ts";
import { startTestApp } from "./helpers/app.ts";
import { formPost, TEST_PASSWORD } from "./helpers/admin.ts";

const KEPT: Array<[string, string]> = [
  ["/admin", "/admin"],
  ["/admin/bookings/abc-123", "/admin/bookings/abc-123"],
  ["/admin/deliveries?status=dead&q=a%20b", "/admin/deliveries?status=dead&q=a%20b"],
  ["/admin/./users", "/admin/users"],
];

const REFUSED = [
  "//evil.example",
  "//evil.example/admin",
  "/\\evil.example",
  "\\\\evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "https://evil.example/admin",
  "http:/evil.example",
  "javascript:alert(1)",
  "evil.example",
  "/admin/../..//evil.example",
  "/admin/..",
  "/api/health",
  "/",
  "/administrator",
  "/admin/login",
  "/admin/logout",
  "/admin/setup/token",
  "",
];

Deno.test("[auth] next: same-origin admin paths are kept", () => {
  for (const [input, expected] of KEPT) assert.equal(safeNextPath(input), expected, input);
});

Deno.test("[auth] next: open-redirect attempts fall back to /admin", () => {
  for (const input of REFUSED) assert.equal(safeNextPath(input), "/admin", JSON.stringify(input));
  assert.equal(safeNextPath(null), "/admin");
});

Deno.test("[auth] sign-in never redirects off the origin, whatever `next` says", async () => {
  const app = await startTestApp();
  try {
    await createAccount(app.kv, { email: "r@example.com", password: TEST_PASSWORD, role: "admin" });
    for (const next of REFUSED.slice(0, 12)) {
      const res = await app.fetch(
        `/admin/login?next=${encodeURIComponent(next)}`,
        formPost({ email: "r@example.com", password: TEST_PASSWORD }),
      );
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/admin", JSON.stringify(next));
    }
  } finally {
    app.close();
  }
});

Deno.test("[auth] a signed-out page request returns there after sign-in", async () => {
  const app = await startTestApp();
  try {
    await createAccount(app.kv, { email: "r@example.com", password: TEST_PASSWORD, role: "admin" });
    const asked = await app.fetch("/admin/deliveries?status=dead");
    assert.equal(asked.status, 303);
    const login = asked.headers.get("location")!;
    assert.equal(login, "/admin/login?next=%2Fadmin%2Fdeliveries%3Fstatus%3Ddead");
    const form = await (await app.fetch(login)).text();
    const action = form.match(/<form method="post" action="([^"]+)"/)![1].replaceAll("&amp;", "&");
    const res = await app.fetch(
      action,
      formPost({ email: "r@example.com", password: TEST_PASSWORD }),
    );
    assert.equal(res.headers.get("location"), "/admin/deliveries?status=dead");
  } finally {
    app.close();
  }
});
