import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { adminHeaders, formPost, signIn } from "./helpers/admin.ts";
import { bookingEvent, signedWebhookRequest } from "./helpers/calcom.ts";
import { getDelivery, listBookingDeliveries } from "@/lib/store/deliveries.ts";
import { listRecentEvents } from "@/lib/store/events.ts";

async function post(app: TestApp, body: string): Promise<string> {
  const res = await app.request(await signedWebhookRequest(body));
  assert.ok(res.ok);
  return (await res.json()).id;
}

async function html(app: TestApp, path: string, cookie: string) {
  const res = await app.fetch(path, { headers: adminHeaders(cookie) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

Deno.test("[admin] booking page: details, reschedule links, timeline, raw payload, emails", async (t) => {
  const app = await startTestApp();
  const admin = await signIn(app);
  const viewer = await signIn(app, { role: "viewer" });
  await post(app, bookingEvent("BOOKING_CREATED", { uid: "first", title: "Kickoff <b>bold</b>" }));
  await post(
    app,
    bookingEvent("BOOKING_RESCHEDULED", {
      uid: "second",
      rescheduleUid: "first",
      title: "Kickoff",
    }),
  );
  const [delivery] = await listBookingDeliveries(app.kv, "first");

  await t.step("the old booking links to the new one and shows its events", async () => {
    const page = await html(app, "/admin/bookings/first", admin);
    assert.equal(page.status, 200);
    assert.match(page.text, /Rescheduled to<\/dt><dd><a href="\/admin\/bookings\/second">/);
    assert.match(page.text, /BOOKING_CREATED/);
    assert.match(page.text, /BOOKING_RESCHEDULED/);
    assert.match(page.text, /<summary>Raw payload<\/summary><pre class="payload"/);
    assert.match(page.text, /&quot;triggerEvent&quot;|"triggerEvent"/);
    assert.ok(!page.text.includes("<b>bold</b>"));
  });
  await t.step("the new booking links back", async () => {
    const page = await html(app, "/admin/bookings/second", admin);
    assert.match(page.text, /Rescheduled from<\/dt><dd><a href="\/admin\/bookings\/first">/);
  });
  await t.step("emails with a resend button for admins only", async () => {
    const asAdmin = await html(app, "/admin/bookings/first", admin);
    assert.match(asAdmin.text, new RegExp(`action="/admin/deliveries/${delivery.id}/resend"`));
    assert.match(asAdmin.text, /No attempt yet/);
    const asViewer = await html(app, "/admin/bookings/first", viewer);
    assert.ok(!asViewer.text.includes("/resend"));
  });
  await t.step("an unknown booking is a 404", async () => {
    assert.equal((await html(app, "/admin/bookings/nope", admin)).status, 404);
  });
  app.close();
});

Deno.test("[admin] resend: admins queue a new attempt, viewers are refused", async () => {
  const app = await startTestApp();
  const admin = await signIn(app);
  const viewer = await signIn(app, { role: "viewer" });
  await post(app, bookingEvent("BOOKING_CREATED", { uid: "r1" }));
  const [delivery] = await listBookingDeliveries(app.kv, "r1");
  const path = `/admin/deliveries/${delivery.id}/resend`;

  const refused = await app.fetch(path, formPost({ return: "/admin/bookings/r1" }, viewer));
  assert.equal(refused.status, 403);
  await refused.body?.cancel();
  const crossSite = await app.fetch(path, {
    ...formPost({}, admin),
    headers: adminHeaders(admin, { origin: "https://evil.example" }),
  });
  assert.equal(crossSite.status, 403);
  await crossSite.body?.cancel();

  const res = await app.fetch(path, formPost({ return: "/admin/bookings/r1" }, admin));
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/admin/bookings/r1?resend=queued#emails");
  const record = await getDelivery(app.kv, delivery.id);
  assert.equal(record?.status, "queued");
  assert.equal(record?.manualPending, true);

  const open = await app.fetch(path, formPost({ return: "https://evil.example/" }, admin));
  assert.equal(open.headers.get("location"), "/admin?resend=queued#emails", "no open redirect");
  app.close();
});

Deno.test("[admin] emails page: by status, retry all dead", async () => {
  const app = await startTestApp();
  const admin = await signIn(app);
  await post(app, bookingEvent("BOOKING_CREATED", { uid: "d1", title: "Dead letter" }));
  const [delivery] = await listBookingDeliveries(app.kv, "d1");
  const all = await html(app, "/admin/deliveries", admin);
  assert.equal(all.status, 200);
  assert.match(all.text, /queued \(1\)/);
  assert.match(all.text, /href="\/admin\/bookings\/d1"/);
  assert.match(
    (await html(app, "/admin/deliveries?status=dead", admin)).text,
    /No emails are dead/,
  );

  const record = (await getDelivery(app.kv, delivery.id))!;
  await app.kv.atomic()
    .set(["delivery", delivery.id], { ...record, status: "dead", lastError: "HTTP 500 <oops>" })
    .delete(["delivery_by_status", "queued", delivery.id])
    .set(["delivery_by_status", "dead", delivery.id], null)
    .sum(["counter", "deliveries", "dead"], 1n)
    .commit();
  const dead = await html(app, "/admin/deliveries?status=dead", admin);
  assert.match(dead.text, /HTTP 500 &lt;oops>/);
  assert.match(dead.text, /Retry all dead emails/);
  const retry = await app.fetch("/admin/deliveries/retry-dead", formPost({}, admin));
  assert.equal(retry.status, 303);
  assert.equal(retry.headers.get("location"), "/admin/deliveries?retried=1");
  assert.equal((await getDelivery(app.kv, delivery.id))?.status, "queued");
  app.close();
});

Deno.test("[admin] webhooks page: URL to paste, counts, failures, test PING", async () => {
  const app = await startTestApp({ PUBLIC_URL: "https://bookings.example.com" });
  const admin = await signIn(app);
  const viewer = await signIn(app, { role: "viewer" });
  const empty = await html(app, "/admin/webhooks", admin);
  assert.match(empty.text, /https:\/\/bookings\.example\.com\/api\/calcom-webhook/);
  assert.match(empty.text, /No event has been accepted yet/);

  const bad = await app.request(
    await signedWebhookRequest("{}", { signature: "0".repeat(64) }),
    "203.0.113.9",
  );
  assert.equal(bad.status, 401);
  await bad.body?.cancel();
  const sent = await app.fetch("/admin/webhooks/test", formPost({}, admin));
  assert.equal(sent.status, 303);
  assert.equal(sent.headers.get("location"), "/admin/webhooks?test=ok");
  const { events } = await listRecentEvents(app.kv, { limit: 1 });
  assert.equal(events[0].trigger, "PING");

  const page = await html(app, "/admin/webhooks?test=ok", admin);
  assert.match(page.text, /Test event sent and accepted/);
  assert.match(page.text, /Last accepted event: PING/);
  assert.match(page.text, /<td>PING<\/td><td>1<\/td>/);
  assert.match(page.text, /203\.0\.113\.9/);
  assert.ok(!(await html(app, "/admin/webhooks", viewer)).text.includes("Send test event"));
  const refused = await app.fetch("/admin/webhooks/test", formPost({}, viewer));
  assert.equal(refused.status, 403);
  await refused.body?.cancel();
  app.close();
});

Deno.test("[admin] outbox preview: text on the page, HTML in a sandboxed frame", async () => {
  const app = await startTestApp();
  const viewer = await signIn(app, { role: "viewer" });
  await post(app, bookingEvent("BOOKING_CREATED", { uid: "o1", title: "Preview <i>me</i>" }));
  const [delivery] = await listBookingDeliveries(app.kv, "o1");
  const page = await html(app, `/admin/outbox/${delivery.id}`, viewer);
  assert.equal(page.status, 200);
  assert.match(
    page.text,
    /<iframe class="email-html" src="\/admin\/outbox\/[^"]+\/html" sandbox[ >]/,
  );
  assert.match(page.text, /Not sent yet/);
  assert.match(page.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
  const frame = await html(app, `/admin/outbox/${delivery.id}/html`, viewer);
  assert.equal(frame.status, 200);
  const csp = frame.headers.get("content-security-policy") ?? "";
  assert.match(csp, /(^|; )sandbox(;|$)/);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'self'/);
  assert.equal(frame.headers.get("x-frame-options"), "SAMEORIGIN");
  assert.ok(!frame.text.includes("<i>me</i>"), "booker text is escaped in the email too");
  assert.equal((await html(app, "/admin/outbox/unknown", viewer)).status, 404);
  const anonymous = await app.fetch(`/admin/outbox/${delivery.id}/html`);
  assert.equal(anonymous.status, 303);
  app.close();
});

Deno.test("[admin] users page: admins add, disable and reset; viewers are refused", async () => {
  const app = await startTestApp();
  const admin = await signIn(app, { email: "owner@example.com" });
  const viewer = await signIn(app, { role: "viewer" });
  assert.equal((await html(app, "/admin/users", viewer)).status, 403);
  assert.ok(!(await html(app, "/admin", viewer)).text.includes('href="/admin/users"'));
  assert.match((await html(app, "/admin", admin)).text, /href="\/admin\/users"/);

  const added = await app.fetch(
    "/admin/users",
    formPost({
      action: "add",
      email: "New@Example.com",
      role: "viewer",
      password: "long enough pw!",
    }, admin),
  );
  assert.equal(added.status, 303);
  const list = await html(app, "/admin/users?user=added", admin);
  assert.match(list.text, /new@example\.com/);
  assert.match(list.text, /User added/);
  const row = list.text.split("<tr>").find((r) => r.includes("new@example.com"))!;
  const newId = /name="id" value="([^"]+)"/.exec(row)![1];

  const short = await app.fetch(
    "/admin/users",
    formPost({ action: "reset", id: newId, password: "short" }, admin),
  );
  assert.equal(short.status, 400);
  assert.match(await short.text(), /role="alert"/);
  const duplicate = await app.fetch(
    "/admin/users",
    formPost({
      action: "add",
      email: "new@example.com",
      role: "admin",
      password: "long enough pw!",
    }, admin),
  );
  assert.equal(duplicate.status, 409);
  await duplicate.body?.cancel();
  const disabled = await app.fetch(
    "/admin/users",
    formPost({ action: "disable", id: newId }, admin),
  );
  assert.equal(disabled.headers.get("location"), "/admin/users?user=disabled");
  const lastAdmin = await app.fetch(
    "/admin/users",
    formPost({ action: "disable", id: /name="id" value="([^"]+)"/.exec(list.text)![1] }, admin),
  );
  assert.equal(lastAdmin.status, 409, "the last enabled admin stays");
  assert.match(await lastAdmin.text(), /last enabled admin/);
  app.close();
});
