import assert from "node:assert/strict";
import { createAccount, setDisabled } from "@/lib/auth/accounts.ts";
import { LOGIN_FAILED_MESSAGE } from "@/lib/auth/login.ts";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { adminHeaders, formPost, TEST_PASSWORD } from "./helpers/admin.ts";

const EMAIL = "owner@example.com";

async function appWithOwner(): Promise<TestApp> {
  const app = await startTestApp();
  await createAccount(app.kv, { email: EMAIL, password: TEST_PASSWORD, role: "admin" });
  return app;
}

/** Sends a sign-in POST as `client` (an IP address). */
function login(app: TestApp, fields: Record<string, string>, client = "127.0.0.1", next = "") {
  const url = new URL(`/admin/login${next}`, "http://localhost");
  const req = new Request(url, formPost(fields));
  return app.request(req, client);
}

/** The names of everything in the HTML a form would submit. */
function submittedFields(html: string): string[] {
  const form = html.match(/<form[^>]*action="\/admin\/login[^"]*"[^>]*>([\s\S]*?)<\/form>/)![1];
  const controls = [...form.matchAll(/<(input|select|textarea|button)\b([^>]*)>/g)];
  return controls.flatMap(([, _tag, attributes]) => {
    const name = attributes.match(/\bname="([^"]*)"/)?.[1];
    return name === undefined ? [] : [name];
  });
}

Deno.test("[auth] GET /admin/login shows a form posting exactly email and password", async () => {
  const app = await startTestApp();
  try {
    const res = await app.fetch("/admin/login");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/html/);
    const html = await res.text();
    assert.deepEqual(submittedFields(html).sort(), ["email", "password"]);
    assert.doesNotMatch(html, /type="hidden"/);
    assert.match(html, /<form method="post" action="\/admin\/login"/);
    assert.doesNotMatch(html, /<script/);
  } finally {
    app.close();
  }
});

Deno.test("[auth] sign-in: success 303s to the page asked for with the session cookie", async () => {
  const app = await appWithOwner();
  try {
    const form = await app.fetch("/admin/login?next=%2Fadmin%2Fdeliveries%3Fstatus%3Ddead");
    assert.deepEqual(submittedFields(await form.text()).sort(), ["email", "password"]);
    const res = await login(
      app,
      { email: " Owner@Example.com ", password: TEST_PASSWORD },
      "127.0.0.1",
      "?next=%2Fadmin%2Fdeliveries%3Fstatus%3Ddead",
    );
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/admin/deliveries?status=dead");
    const cookie = res.headers.get("set-cookie")!;
    assert.match(cookie, /^session=[A-Za-z0-9_-]{43};/);
    const home = await app.fetch("/admin", { headers: { cookie: cookie.split(";")[0] } });
    assert.equal(home.status, 200);
    assert.match(await home.text(), /owner@example\.com/);
  } finally {
    app.close();
  }
});

Deno.test("[auth] sign-in failure: 401 with the form and one message, no redirect", async (t) => {
  const app = await appWithOwner();
  try {
    const answers: string[] = [];
    for (
      const [name, fields] of [
        ["wrong password", { email: EMAIL, password: "not the password" }],
        ["unknown account", { email: "nobody@example.com", password: TEST_PASSWORD }],
        ["empty form", {}],
      ] as const
    ) {
      await t.step(name, async () => {
        const res = await login(app, fields, `10.0.0.${answers.length + 1}`);
        assert.equal(res.status, 401);
        assert.equal(res.headers.get("location"), null);
        assert.equal(res.headers.get("set-cookie"), null);
        const html = await res.text();
        assert.ok(html.includes(LOGIN_FAILED_MESSAGE));
        assert.deepEqual(submittedFields(html).sort(), ["email", "password"]);
        answers.push(html.replace(/value="[^"]*"/, ""));
      });
    }
    assert.equal(answers[0], answers[1], "unknown account and wrong password look the same");
  } finally {
    app.close();
  }
});

Deno.test("[auth] a disabled account cannot sign in and gets the same answer", async () => {
  const app = await startTestApp();
  try {
    await createAccount(app.kv, {
      email: "first@example.com",
      password: TEST_PASSWORD,
      role: "admin",
    });
    const other = await createAccount(app.kv, {
      email: EMAIL,
      password: TEST_PASSWORD,
      role: "viewer",
    });
    await setDisabled(app.kv, other.id, true);
    const res = await login(app, { email: EMAIL, password: TEST_PASSWORD });
    assert.equal(res.status, 401);
    assert.ok((await res.text()).includes(LOGIN_FAILED_MESSAGE));
  } finally {
    app.close();
  }
});

Deno.test("[auth] 5 failures for one account within 15 minutes: 429 until the window passes", async () => {
  const app = await appWithOwner();
  try {
    // Different clients, so only the per-account limit applies.
    for (let i = 1; i <= 5; i++) {
      const res = await login(app, { email: EMAIL, password: "wrong" }, `10.1.0.${i}`);
      assert.equal(res.status, 401, `failure ${i}`);
      await res.body?.cancel();
    }
    const res = await login(
      app,
      { email: "OWNER@example.com", password: TEST_PASSWORD },
      "10.1.0.9",
    );
    assert.equal(res.status, 429, "even the right password waits");
    assert.ok(Number(res.headers.get("retry-after")) > 14 * 60);
    const html = await res.text();
    assert.match(html, /Too many failed sign-in attempts\. Please wait 15 minutes/);
    assert.equal(res.headers.get("set-cookie"), null);
    const other = await login(app, { email: "someone@example.com", password: "x" }, "10.1.0.10");
    assert.equal(other.status, 401, "other accounts are not affected");
    await other.body?.cancel();
  } finally {
    app.close();
  }
});

Deno.test("[auth] 5 failures from one client: 429 for any account, unknown or not", async () => {
  const app = await appWithOwner();
  try {
    for (let i = 1; i <= 5; i++) {
      const res = await login(app, { email: `guess${i}@example.com`, password: "x" }, "192.0.2.7");
      assert.equal(res.status, 401);
      await res.body?.cancel();
    }
    const unknown = await login(app, { email: "guess6@example.com", password: "x" }, "192.0.2.7");
    const known = await login(app, { email: EMAIL, password: TEST_PASSWORD }, "192.0.2.7");
    assert.equal(unknown.status, 429);
    assert.equal(known.status, 429);
    const [a, b] = [await unknown.text(), await known.text()];
    assert.ok(a.includes("Too many failed sign-in attempts"));
    assert.equal(a.replace(/value="[^"]*"/, ""), b.replace(/value="[^"]*"/, ""));
    const elsewhere = await login(app, { email: EMAIL, password: TEST_PASSWORD }, "192.0.2.8");
    assert.equal(elsewhere.status, 303, "another client signs in");
  } finally {
    app.close();
  }
});

Deno.test("[auth] a success clears the account's failures", async () => {
  const app = await appWithOwner();
  try {
    for (let i = 0; i < 4; i++) {
      await (await login(app, { email: EMAIL, password: "x" }, "10.2.0.1")).body?.cancel();
    }
    assert.equal(
      (await login(app, { email: EMAIL, password: TEST_PASSWORD }, "10.2.0.2")).status,
      303,
    );
    for (let i = 0; i < 4; i++) {
      await (await login(app, { email: EMAIL, password: "x" }, "10.2.0.3")).body?.cancel();
    }
    assert.equal(
      (await login(app, { email: EMAIL, password: TEST_PASSWORD }, "10.2.0.4")).status,
      303,
    );
  } finally {
    app.close();
  }
});

Deno.test("[auth] signed in, the login page sends you on; oversized forms get 413", async () => {
  const app = await appWithOwner();
  try {
    const signedIn = await login(app, { email: EMAIL, password: TEST_PASSWORD });
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0];
    const again = await app.fetch("/admin/login?next=/admin/webhooks", {
      headers: adminHeaders(cookie),
    });
    assert.equal(again.status, 303);
    assert.equal(again.headers.get("location"), "/admin/webhooks");
    const big = await login(app, { email: EMAIL, password: "x".repeat(10_000) });
    assert.equal(big.status, 413);
    await big.body?.cancel();
  } finally {
    app.close();
  }
});
