import assert from "node:assert/strict";
import { findAccountByEmail, hasAnyAccount } from "@/lib/auth/accounts.ts";
import { bootstrapFirstAdmin, createSetupToken, describeBootstrap } from "@/lib/auth/setup.ts";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { formPost, signIn, TEST_PASSWORD } from "./helpers/admin.ts";

async function setupLink(app: TestApp): Promise<string> {
  const result = await bootstrapFirstAdmin(app.kv, app.services.config);
  assert.equal(result.kind, "setup");
  return new URL((result as { url: string }).url).pathname;
}

Deno.test("[auth] set-up: unknown tokens get 404", async () => {
  const app = await startTestApp();
  try {
    for (const token of ["unknown", "A".repeat(43), "never-made_" + "x".repeat(32)]) {
      const get = await app.fetch(`/admin/setup/${token}`);
      assert.equal(get.status, 404, token);
      assert.match(await get.text(), /unknown, expired or already used/);
      const post = await app.fetch(
        `/admin/setup/${token}`,
        formPost({ email: "x@example.com", password: TEST_PASSWORD }),
      );
      assert.equal(post.status, 404);
      await post.body?.cancel();
    }
    assert.equal(await hasAnyAccount(app.kv), false);
  } finally {
    app.close();
  }
});

Deno.test("[auth] set-up: the link creates the first admin, signs in, and works once", async () => {
  const app = await startTestApp();
  try {
    const path = await setupLink(app);
    assert.match(path, /^\/admin\/setup\/[A-Za-z0-9_-]{43}$/);
    const form = await app.fetch(path);
    assert.equal(form.status, 200);
    const html = await form.text();
    assert.match(html, new RegExp(`<form method="post" action="${path}"`));
    assert.match(html, /name="email"/);
    assert.match(html, /name="password"/);

    const weak = await app.fetch(path, formPost({ email: "first@example.com", password: "short" }));
    assert.equal(weak.status, 400);
    assert.match(await weak.text(), /at least 12 characters/);

    const res = await app.fetch(
      path,
      formPost({ email: "First@Example.com", password: TEST_PASSWORD }),
    );
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/admin");
    const cookie = res.headers.get("set-cookie")!.split(";")[0];
    const home = await app.fetch("/admin", { headers: { cookie } });
    assert.equal(home.status, 200);
    await home.body?.cancel();
    const account = await findAccountByEmail(app.kv, "first@example.com");
    assert.equal(account?.role, "admin");

    const again = await app.fetch(
      path,
      formPost({ email: "second@example.com", password: TEST_PASSWORD }),
    );
    assert.equal(again.status, 404, "used");
    await again.body?.cancel();
    assert.equal((await app.fetch(path)).status, 404);
    assert.equal(await findAccountByEmail(app.kv, "second@example.com"), null);
  } finally {
    app.close();
  }
});

Deno.test("[auth] set-up: an unused link stops working once any account exists", async () => {
  const app = await startTestApp();
  try {
    const token = await createSetupToken(app.kv);
    await signIn(app, { role: "viewer" });
    const res = await app.fetch(`/admin/setup/${token}`);
    assert.equal(res.status, 404);
    await res.body?.cancel();
  } finally {
    app.close();
  }
});

Deno.test("[auth] set-up: links expire after 24 hours", async () => {
  const app = await startTestApp();
  try {
    const token = await createSetupToken(app.kv, Date.now() - 24 * 60 * 60 * 1000);
    const res = await app.fetch(`/admin/setup/${token}`);
    assert.equal(res.status, 404);
    await res.body?.cancel();
  } finally {
    app.close();
  }
});

Deno.test("[auth] start-up bootstrap: ADMIN_EMAIL/ADMIN_PASSWORD, else a link; never twice", async () => {
  const app = await startTestApp({
    ADMIN_EMAIL: "Boot@Example.com",
    ADMIN_PASSWORD: TEST_PASSWORD,
  });
  try {
    const first = await bootstrapFirstAdmin(app.kv, app.services.config);
    assert.deepEqual(first, { kind: "created", email: "boot@example.com" });
    assert.equal(
      describeBootstrap(first),
      "Admin account created from ADMIN_EMAIL/ADMIN_PASSWORD.",
    );
    assert.doesNotMatch(describeBootstrap(first)!, /battery/);
    const second = await bootstrapFirstAdmin(app.kv, {
      ...app.services.config,
      admin: { email: "boot@example.com", password: "a different password" },
    });
    assert.deepEqual(second, { kind: "exists" }, "an existing account is never changed");
    assert.equal(describeBootstrap(second), undefined);
    const signIn = await app.fetch(
      "/admin/login",
      formPost({ email: "boot@example.com", password: TEST_PASSWORD }),
    );
    assert.equal(signIn.status, 303);
  } finally {
    app.close();
  }
  const fresh = await startTestApp({ PUBLIC_URL: "https://bookings.example.com/" });
  try {
    const result = await bootstrapFirstAdmin(fresh.kv, fresh.services.config);
    assert.match(
      describeBootstrap(result)!,
      /^Admin set-up: https:\/\/bookings\.example\.com\/admin\/setup\/[A-Za-z0-9_-]{43} /,
    );
  } finally {
    fresh.close();
  }
});
