import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { adminHeaders, signIn } from "./helpers/admin.ts";
import { bookingEvent, signedWebhookRequest } from "./helpers/calcom.ts";
import { seedBookings } from "../scripts/seed_bookings.ts";
import { searchBookings } from "@/lib/store/booking_search.ts";
import { bookingIndexKeys } from "@/lib/store/booking_indexes.ts";
import { getBooking } from "@/lib/store/bookings.ts";
import type { BookingListData } from "@/lib/admin/booking_view.ts";

async function post(app: TestApp, body: string): Promise<void> {
  const res = await app.request(await signedWebhookRequest(body));
  assert.ok(res.ok, await res.text());
}

async function list(app: TestApp, cookie: string, query: string): Promise<BookingListData> {
  const res = await app.fetch(`/admin/api/bookings${query}`, { headers: adminHeaders(cookie) });
  assert.equal(res.status, 200);
  return await res.json();
}

const uids = (data: BookingListData) => data.rows.map((r) => r.uid);

function attendee(name: string, email: string) {
  return { attendees: [{ name, email, timeZone: "Europe/London", language: { locale: "en" } }] };
}

Deno.test("[admin] cursor pages walk every booking once, newest first", async () => {
  const app = await startTestApp();
  const cookie = await signIn(app, { role: "viewer" });
  await seedBookings(app.kv, 60);
  const seen: string[] = [];
  let query = "";
  for (let pages = 0; pages < 5; pages++) {
    const data = await list(app, cookie, query);
    seen.push(...uids(data));
    if (!data.next) break;
    query = `?cursor=${encodeURIComponent(data.next)}`;
  }
  assert.equal(seen.length, 60);
  assert.equal(new Set(seen).size, 60);
  // Seeded booking i was first seen before booking i + 1: the list runs backwards.
  const order = seen.map((uid) => parseInt(uid.split("-")[1], 36));
  assert.deepEqual(order, [...order].sort((a, b) => b - a));
  app.close();
});

Deno.test("[admin] filters: status, event type, start dates, email problems", async (t) => {
  const app = await startTestApp({ STAFF_TIMEZONE: "Europe/Berlin" });
  const cookie = await signIn(app);
  await post(
    app,
    bookingEvent("BOOKING_CREATED", {
      uid: "jan",
      startTime: "2024-01-10T09:00:00Z",
      endTime: "2024-01-10T10:00:00Z",
      eventTitle: "Consultation",
    }),
  );
  await post(
    app,
    bookingEvent("BOOKING_CREATED", {
      uid: "feb",
      startTime: "2024-02-10T09:00:00Z",
      endTime: "2024-02-10T10:00:00Z",
    }),
  );
  await post(
    app,
    bookingEvent("BOOKING_CANCELLED", {
      uid: "feb",
      startTime: "2024-02-10T09:00:00Z",
      endTime: "2024-02-10T10:00:00Z",
    }, new Date(Date.now() + 1000).toISOString()),
  );

  await t.step("status follows the booking's changes", async () => {
    assert.deepEqual(uids(await list(app, cookie, "?status=cancelled")), ["feb"]);
    assert.deepEqual(uids(await list(app, cookie, "?status=booked")), ["jan"]);
    // The index keys of the stored record are exactly the ones present: nothing stale.
    const feb = (await getBooking(app.kv, "feb"))!;
    const stale = await app.kv.get(["booking_by_status", "booked", feb.firstEventId, "feb"]);
    assert.equal(stale.versionstamp, null);
    for (const key of bookingIndexKeys(feb)) assert.ok((await app.kv.get(key)).versionstamp);
  });
  await t.step("event type", async () => {
    const data = await list(app, cookie, "?type=Consultation");
    assert.deepEqual(uids(data), ["jan"]);
    assert.ok(data.eventTypes.includes("Consultation"));
  });
  await t.step("start dates, in the staff zone, both ends inclusive", async () => {
    assert.deepEqual(uids(await list(app, cookie, "?from=2024-02-01")), ["feb"]);
    assert.deepEqual(uids(await list(app, cookie, "?to=2024-01-10")), ["jan"]);
    assert.deepEqual(uids(await list(app, cookie, "?from=2024-01-10&to=2024-02-10")), [
      "feb",
      "jan",
    ]);
    assert.deepEqual(uids(await list(app, cookie, "?from=2024-03-01")), []);
  });
  await t.step("email problems", async () => {
    assert.deepEqual(uids(await list(app, cookie, "?problem=1")), []);
    const [delivery] = await Array.fromAsync(
      app.kv.list({ prefix: ["delivery_by_booking", "jan"] }),
    );
    const id = delivery.key[2] as string;
    const record = (await app.kv.get<{ status: string }>(["delivery", id])).value!;
    await app.kv.atomic()
      .set(["delivery", id], { ...record, status: "dead" })
      .delete(["delivery_by_status", record.status, id])
      .set(["delivery_by_status", "dead", id], null)
      .commit();
    const data = await list(app, cookie, "?problem=1");
    assert.deepEqual(uids(data), ["jan"]);
    assert.equal(data.rows[0].emails[0].problem, true);
  });
  await t.step("filters combine", async () => {
    assert.deepEqual(uids(await list(app, cookie, "?status=cancelled&type=Consultation")), []);
    assert.deepEqual(uids(await list(app, cookie, "?status=booked&from=2024-01-01&problem=1")), [
      "jan",
    ]);
  });
  app.close();
});

Deno.test("[admin] search by attendee name or email and by title, by word prefixes", async (t) => {
  const app = await startTestApp();
  const cookie = await signIn(app, { role: "viewer" });
  await post(
    app,
    bookingEvent("BOOKING_CREATED", {
      uid: "zoe",
      title: "Bathroom renovation quote",
      ...attendee("Zoë Ångström", "zoe@renovate.example"),
    }),
  );
  await post(
    app,
    bookingEvent("BOOKING_CREATED", {
      uid: "max",
      title: "Kitchen planning",
      ...attendee("Max Mustermann", "max.m@example.org"),
    }),
  );
  const cases: [string, string[]][] = [
    ["zoe", ["zoe"]],
    ["ångström", ["zoe"]],
    ["ZOE ang", ["zoe"]],
    ["renov", ["zoe"]],
    ["max.m@example.org", ["max"]],
    ["mustermann kitchen", ["max"]],
    ["kitchen zoe", []],
    ["nobody", []],
  ];
  for (const [q, expected] of cases) {
    await t.step(`q=${q}`, async () => {
      assert.deepEqual(uids(await list(app, cookie, `?q=${encodeURIComponent(q)}`)), expected);
    });
  }
  await t.step("the no-JavaScript form gets the same result as HTML", async () => {
    const res = await app.fetch("/admin?q=kitchen", { headers: adminHeaders(cookie) });
    const html = await res.text();
    assert.match(html, /Kitchen planning/);
    assert.ok(!html.includes("Bathroom renovation quote"));
    assert.match(html, /name="q" value="kitchen"/);
  });
  app.close();
});

Deno.test("[admin] a query with no match reads a bounded slice per page, then ends", async () => {
  const app = await startTestApp();
  await seedBookings(app.kv, 900);
  // Every seeded title says "between"; seeded workshops are never cancelled.
  const query = { q: "between", eventType: "Workshop", status: "cancelled" as const };
  const first = await searchBookings(app.kv, query, { limit: 25 });
  assert.equal(first.items.length, 0);
  assert.equal(first.partial, true, "stopped at the scan limit, not at the end");
  assert.ok(first.cursor);
  let cursor: string | undefined = first.cursor;
  let pages = 1;
  while (cursor && pages < 10) {
    const next = await searchBookings(app.kv, query, { limit: 25, cursor });
    assert.equal(next.items.length, 0);
    cursor = next.cursor;
    pages++;
  }
  assert.equal(cursor, undefined, "the last page has no cursor");
  assert.ok(pages >= 3, "900 entries take more than two bounded pages");
  app.close();
});
