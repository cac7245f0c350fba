import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { adminHeaders, signIn } from "./helpers/admin.ts";
import { bookingEvent, signedWebhookRequest } from "./helpers/calcom.ts";

const HOSTILE_TITLE = 'Intro </script><script>alert(1)</script> \u2028\u2029 <!-- & "quotes"';

async function post(app: TestApp, body: string): Promise<void> {
  const res = await app.request(await signedWebhookRequest(body));
  assert.equal(res.status, 200, await res.text());
}

async function page(app: TestApp, path: string, cookie: string) {
  const res = await app.fetch(path, { headers: adminHeaders(cookie) });
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    html: await res.text(),
  };
}

/** The island's props as the browser reads them: the JSON of the state script. */
function islandState(html: string): { p: { v: [{ initial: { rows: { title: string }[] } }] } } {
  const match = /<script id="__FRSH_STATE_[^"]+" type="application\/json">(.*?)<\/script>/s
    .exec(html);
  assert.ok(match, "the page carries island state");
  return JSON.parse(match[1]);
}

Deno.test("[admin] /admin lists bookings newest first with every column", async (t) => {
  const app = await startTestApp({ STAFF_TIMEZONE: "Europe/Berlin" });
  const cookie = await signIn(app, { role: "viewer" });
  await post(app, bookingEvent("BOOKING_CREATED", { uid: "older", title: "Older booking" }));
  await post(app, bookingEvent("BOOKING_CREATED", { uid: "newer", title: "Newer booking" }));

  await t.step("rendered on the server, newest first", async () => {
    const { status, type, html } = await page(app, "/admin", cookie);
    assert.equal(status, 200);
    assert.match(type, /text\/html/);
    assert.ok(html.indexOf("Newer booking") < html.indexOf("Older booking"));
    assert.match(html, /<span class="badge status-booked">Booked<\/span>/);
    // Fixture start 2024-01-01T10:00Z shown in the staff zone.
    assert.match(html, /Mon, 1 Jan 2024, 11:00/);
    assert.match(html, /Europe\/Berlin/);
    assert.match(html, /Strategy Session/);
    assert.match(html, />queued</, "the email's delivery status");
    assert.match(html, /2 bookings in all/);
    assert.match(html, /Booked \(2\)/, "counts come from the counters");
  });

  await t.step("the list is an island with a plain GET search form", async () => {
    const { html } = await page(app, "/admin", cookie);
    assert.match(html, /<!--frsh-bookingbrowser_default:0:-->/);
    assert.match(html, /<form class="filters" method="get" action="\/admin" role="search">/);
    assert.match(html, /<input id="booking-q" type="search" name="q"/);
    assert.match(html, /<label for="booking-q">Search<\/label>/);
    assert.match(html, /<script type="module" src="\/_frsh\/js\/[^"]+\/boot-[^"]+\.js"/);
    for (const script of html.match(/<script[^>]*>/g) ?? []) {
      assert.ok(/src=|type="application\/json"/.test(script), `no inline script: ${script}`);
    }
  });
  app.close();
});

Deno.test("[admin] hostile booking text is escaped in HTML and in island props", async () => {
  const app = await startTestApp();
  const cookie = await signIn(app);
  await post(app, bookingEvent("BOOKING_CREATED", { uid: "hostile", title: HOSTILE_TITLE }));
  const { html } = await page(app, "/admin", cookie);
  assert.ok(!html.includes("<script>alert(1)"), "no markup from a booker reaches the page");
  const stateScript = /<script id="__FRSH_STATE_[^"]+" type="application\/json">(.*?)<\/script>/s
    .exec(html)![1];
  assert.ok(!stateScript.includes("</"), "the props cannot close their script element");
  assert.ok(!stateScript.includes("\u2028") && !stateScript.includes("\u2029"));
  assert.equal(islandState(html).p.v[0].initial.rows[0].title, HOSTILE_TITLE);
  const detail = await page(app, "/admin/bookings/hostile", cookie);
  assert.equal(detail.status, 200);
  assert.ok(!detail.html.includes("<script>alert(1)"));
  assert.match(detail.html, /&lt;\/script>&lt;script>alert\(1\)/);
  app.close();
});

Deno.test("[admin] an empty dashboard says how to connect Cal.com", async () => {
  const app = await startTestApp();
  const cookie = await signIn(app);
  const { status, html } = await page(app, "/admin", cookie);
  assert.equal(status, 200);
  assert.match(html, /No bookings have arrived yet/);
  assert.match(html, /href="\/admin\/webhooks"/);
  const filtered = await page(app, "/admin?q=nobody", cookie);
  assert.match(filtered.html, /No bookings match these filters/);
  app.close();
});

Deno.test("[admin] the JSON list answers the island and needs a session", async () => {
  const app = await startTestApp();
  const cookie = await signIn(app, { role: "viewer" });
  await post(app, bookingEvent("BOOKING_CREATED", { uid: "json-1", title: "Json booking" }));
  const res = await app.fetch("/admin/api/bookings", { headers: adminHeaders(cookie) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json();
  assert.equal(body.rows[0].uid, "json-1");
  assert.equal(body.total, 1);
  const anonymous = await app.fetch("/admin/api/bookings");
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
  app.close();
});
