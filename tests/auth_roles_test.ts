import assert from "node:assert/strict";
import { createHandler, type Handlers, type Manifest } from "$fresh/server.ts";
import { createAccount, LastAdminError, setDisabled, setRole } from "@/lib/auth/accounts.ts";
import { type AdminState, ForbiddenError, hasRole, requireRole } from "@/lib/auth/roles.ts";
import * as adminMiddleware from "@/routes/admin/_middleware.ts";
import { startTestApp } from "./helpers/app.ts";
import { adminHeaders, signIn, TEST_PASSWORD } from "./helpers/admin.ts";

const viewer = { id: "v", email: "v@example.com", role: "viewer" as const };
const admin = { id: "a", email: "a@example.com", role: "admin" as const };

Deno.test("[auth] roles: admins may do what viewers may, not the other way round", () => {
  assert.equal(hasRole(admin, "viewer"), true);
  assert.equal(hasRole(admin, "admin"), true);
  assert.equal(hasRole(viewer, "viewer"), true);
  assert.equal(hasRole(viewer, "admin"), false);
  assert.equal(hasRole(undefined, "viewer"), false);
  assert.equal(requireRole({ state: { user: admin } }, "admin"), admin);
  assert.throws(() => requireRole({ state: { user: viewer } }, "admin"), ForbiddenError);
});

/** A route like the dashboard's resend button: viewers may look, only admins may act. */
const resend: Handlers<unknown, AdminState> = {
  GET: (_req, ctx) => new Response(`hello ${ctx.state.user?.role}`),
  POST(_req, ctx) {
    const user = requireRole(ctx, "admin");
    return new Response(`resent by ${user.role}`);
  },
};

Deno.test("[auth] roles: requireRole in a handler answers 403 for a viewer", async () => {
  const app = await startTestApp();
  try {
    const manifest: Manifest = {
      routes: {
        "./routes/admin/_middleware.ts": adminMiddleware,
        "./routes/admin/resend.ts": { handler: resend },
      },
      islands: {},
      baseUrl: new URL("../", import.meta.url).href,
    };
    const handler = await createHandler(manifest);
    const call = (method: string, cookie: string, accept = "text/html") =>
      handler(
        new Request("http://localhost/admin/resend", {
          method,
          headers: adminHeaders(cookie, { accept }),
        }),
      );
    const viewerCookie = await signIn(app, { role: "viewer" });
    const adminCookie = await signIn(app, { role: "admin" });
    assert.equal(await (await call("GET", viewerCookie)).text(), "hello viewer");
    const refused = await call("POST", viewerCookie);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get("x-frame-options"), "DENY");
    assert.match(await refused.text(), /admin role/);
    const refusedJson = await call("POST", viewerCookie, "application/json");
    assert.equal(refusedJson.status, 403);
    assert.equal((await refusedJson.json()).error, "forbidden");
    const allowed = await call("POST", adminCookie);
    assert.equal(allowed.status, 200);
    assert.equal(await allowed.text(), "resent by admin");
  } finally {
    app.close();
  }
});

Deno.test("[auth] accounts: the last enabled admin cannot be demoted or disabled", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const a = await createAccount(kv, {
      email: "a@example.com",
      password: TEST_PASSWORD,
      role: "admin",
    });
    const b = await createAccount(kv, {
      email: "b@example.com",
      password: TEST_PASSWORD,
      role: "admin",
    });
    await setRole(kv, b.id, "viewer");
    await assert.rejects(() => setRole(kv, a.id, "viewer"), LastAdminError);
    await assert.rejects(() => setDisabled(kv, a.id, true), LastAdminError);
    await setRole(kv, b.id, "admin");
    await setDisabled(kv, a.id, true);
    await assert.rejects(() => setDisabled(kv, b.id, true), LastAdminError);
    await assert.rejects(
      () => createAccount(kv, { email: " B@EXAMPLE.com", password: TEST_PASSWORD, role: "viewer" }),
      /already exists/,
    );
  } finally {
    kv.close();
  }
});
