/**
 * Security checks across the whole app that the auth tests (tests/auth_*_test.ts: manifest walk
 * without a session, Origin, cookie flags, throttling, headers) do not already make:
 * booker-typed text stays inert from the webhook to every admin page and the email, and no log
 * line the app writes carries a secret, an email address or anything the booker typed.
 */
import assert from "node:assert/strict";
import manifest from "@/fresh.gen.ts";
import { startFakeSendgrid } from "./fakes/sendgrid.ts";
import { adminHeaders, signIn } from "./helpers/admin.ts";
import { startAppProcess } from "./helpers/app_process.ts";
import { bookingEvent, signedWebhookRequest, TEST_SECRET } from "./helpers/calcom.ts";
import { startMailHarness } from "./helpers/email.ts";
import { HOSTILE_TEXT, leaksIn, unsafeHtml } from "./helpers/leaks.ts";

/** A booking in which everything a booker or Cal.com user can type is an attack. */
function hostileBooking(trigger: string, uid = crypto.randomUUID()): string {
  return bookingEvent(trigger, {
    uid,
    title: HOSTILE_TEXT.script,
    eventTitle: HOSTILE_TEXT.attribute,
    additionalNotes: HOSTILE_TEXT.closeScript,
    location: HOSTILE_TEXT.javascriptUrl,
    metadata: { videoCallUrl: HOSTILE_TEXT.javascriptUrl },
    cancellationReason: HOSTILE_TEXT.svg,
    organizer: { name: HOSTILE_TEXT.attribute, email: "organizer@example.com", timeZone: "UTC" },
    attendees: [{
      name: HOSTILE_TEXT.headerInjection,
      email: "eve@example.com",
      timeZone: "Europe/Berlin",
    }],
    responses: {
      notes: { label: HOSTILE_TEXT.svg, value: HOSTILE_TEXT.closeScript },
      website: { label: "Website", value: HOSTILE_TEXT.javascriptUrl },
    },
  });
}

/** Admin page paths from the manifest, with real ids for the dynamic segments. */
function adminPages(ids: Record<string, string>): string[] {
  return Object.entries(manifest.routes)
    .filter(([file, mod]) => {
      const { default: page, handler } = mod as { default?: unknown; handler?: { GET?: unknown } };
      const answersGet = typeof page === "function" || typeof handler?.GET === "function";
      return file.startsWith("./routes/admin/") && !/\/_|\/api\//.test(file) && answersGet;
    })
    .map(([file]) => {
      const segments = file.slice("./routes".length).replace(/\.tsx?$/, "").split("/");
      if (segments.at(-1) === "index") segments.pop();
      return segments.map((s) => s.replace(/^\[(\w+)\]$/, (_, name) => ids[name] ?? `?${name}`))
        .join("/");
    })
    .filter((path) => !path.includes("?"));
}

/** Runs `fn` with console output captured; returns every line written. */
async function capturingConsole(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const original = methods.map((m) => console[m]);
  for (const m of methods) {
    console[m] = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  }
  try {
    await fn();
  } finally {
    methods.forEach((m, i) => (console[m] = original[i]));
  }
  return lines;
}

Deno.test("[security] booker text is inert in the email and on every admin page", async (t) => {
  const h = await startMailHarness("cron");
  const uid = crypto.randomUUID();
  const logs = await capturingConsole(async () => {
    for (const trigger of ["BOOKING_CREATED", "BOOKING_CANCELLED"]) {
      const res = await h.post(hostileBooking(trigger, uid));
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    await h.settle();
  });
  const [delivery] = await h.deliveries();
  await t.step("the emails: escaped HTML, one-line subjects", () => {
    const sent = h.fake.accepted();
    assert.equal(sent.length, 2);
    for (const { body } of sent) {
      assert.doesNotMatch(body.subject, /[\r\n]/);
      for (const part of body.content.filter((c) => c.type === "text/html")) {
        assert.deepEqual(unsafeHtml(part.value), [], `email ${body.subject}`);
      }
    }
  });
  await t.step("every admin page from the manifest", async () => {
    const cookie = await signIn(h.app);
    const pages = adminPages({ uid, id: delivery.id });
    assert.ok(pages.includes(`/admin/bookings/${uid}`), pages.join(" "));
    assert.ok(pages.includes(`/admin/outbox/${delivery.id}/html`), pages.join(" "));
    for (const path of pages) {
      const res = await h.app.fetch(path, { headers: adminHeaders(cookie) });
      const html = await res.text();
      if (res.status >= 300 && res.status < 400) continue; // e.g. the login page, signed in
      assert.equal(res.status, 200, path);
      assert.deepEqual(unsafeHtml(html), [], path);
    }
  });
  await t.step("nothing the booker typed reached a log line", () => {
    assert.ok(logs.length > 0, "the flow logged something");
    assert.deepEqual(leaksIn(logs, [TEST_SECRET, h.fake.apiKey]), []);
  });
  await h.close();
});

const SECRETS = {
  webhook: "whsec-log-scan-7f3a9c",
  sendgrid: "SG.log-scan-key-1b2c3d",
  adminPassword: "log-scan-password-5e6f7a",
};

/** Posts, signs in, browses, fails: everything that logs, through the real process. */
async function exerciseApp(url: string, fakeAccepted: () => number): Promise<void> {
  const post = async (req: Request) => (await fetch(new URL(new URL(req.url).pathname, url), req));
  const uids = [crypto.randomUUID(), crypto.randomUUID()];
  for (const uid of uids) {
    for (const trigger of ["BOOKING_CREATED", "BOOKING_CANCELLED"]) {
      const body = hostileBooking(trigger, uid);
      const answer = await post(await signedWebhookRequest(body, { secret: SECRETS.webhook }));
      assert.equal(answer.status, 200);
      await answer.body?.cancel();
      await (await post(await signedWebhookRequest(body, { secret: "not-it" }))).body?.cancel();
    }
  }
  await (await post(await signedWebhookRequest("a=1&b=2", { secret: SECRETS.webhook })))
    .body?.cancel();
  const origin = { origin: url, "content-type": "application/x-www-form-urlencoded" };
  const form = (password: string) =>
    new URLSearchParams({ email: "owner@example.com", password }).toString();
  for (let i = 0; i < 3; i++) {
    const wrong = await fetch(`${url}/admin/login`, {
      method: "POST",
      headers: origin,
      body: form(`wrong-${SECRETS.adminPassword}`),
    });
    await wrong.body?.cancel();
  }
  const login = await fetch(`${url}/admin/login`, {
    method: "POST",
    headers: origin,
    body: form(SECRETS.adminPassword),
    redirect: "manual",
  });
  await login.body?.cancel();
  assert.equal(login.status, 303);
  const cookie = login.headers.get("set-cookie")!.split(";")[0];
  for (
    const path of ["/admin", `/admin/bookings/${uids[0]}`, "/admin/deliveries", "/admin/webhooks"]
  ) {
    await (await fetch(`${url}${path}`, { headers: { cookie } })).body?.cancel();
  }
  for (const path of ["/api/health", "/api/metrics", "/admin/api/bookings"]) {
    await (await fetch(`${url}${path}`, { headers: { cookie } })).body?.cancel();
  }
  for (let i = 0; i < 400 && fakeAccepted() < 4; i++) await new Promise((r) => setTimeout(r, 25));
  const logout = await fetch(`${url}/admin/logout`, {
    method: "POST",
    headers: { ...origin, cookie },
    redirect: "manual",
  });
  await logout.body?.cancel();
  await (await fetch(`${url}/admin`, { headers: { cookie }, redirect: "manual" })).body?.cancel();
}

Deno.test("[security] log scan: the app process logs no secret, address or booker text", async () => {
  const fake = startFakeSendgrid(SECRETS.sendgrid);
  fake.script({ kind: "server_error" }, { kind: "rate_limit", retryAfterSeconds: 1 });
  const dir = await Deno.makeTempDir({ prefix: "log-scan-" });
  const app = await startAppProcess({
    env: {
      KV_PATH: `${dir}/kv.sqlite3`,
      CALCOM_WEBHOOK_SECRET: SECRETS.webhook,
      QUEUE_MODE: "kv",
      LOG_LEVEL: "debug",
      SENDGRID_API_KEY: SECRETS.sendgrid,
      SENDGRID_API_URL: fake.url,
      EMAIL_FROM: "bookings@example.com",
      EMAIL_TO: "staff@example.com",
      ADMIN_EMAIL: "owner@example.com",
      ADMIN_PASSWORD: SECRETS.adminPassword,
    },
  });
  try {
    await exerciseApp(app.url, () => fake.accepted().length);
    assert.equal(fake.accepted().length, 4, "both bookings' emails went out");
  } finally {
    await app.stop("SIGTERM");
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
  assert.ok(app.logs.length > 20, `only ${app.logs.length} log lines`);
  assert.deepEqual(leaksIn(app.logs, Object.values(SECRETS)), []);
});
