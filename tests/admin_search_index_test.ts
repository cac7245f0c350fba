import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { bookingEvent, signedWebhookRequest } from "./helpers/calcom.ts";
import { searchBookings } from "@/lib/store/booking_search.ts";
import { getBooking } from "@/lib/store/bookings.ts";

async function post(app: TestApp, body: string): Promise<void> {
  const res = await app.request(await signedWebhookRequest(body));
  assert.ok(res.ok, await res.text());
}

const person = (name: string, email: string) => ({
  attendees: [{ name, email, timeZone: "Europe/London", language: { locale: "en" } }],
});

async function tokens(app: TestApp, uid: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of app.kv.list({ prefix: ["booking_token"] })) {
    if (e.key[3] === uid) out.push(e.key[1] as string);
  }
  return out.sort();
}

async function found(app: TestApp, q: string): Promise<string[]> {
  return (await searchBookings(app.kv, { q })).items.map((i) => i.booking.uid);
}

Deno.test("[admin] search index: a word's first 2 and 4 characters, one key each", async () => {
  const app = await startTestApp();
  await post(
    app,
    bookingEvent("BOOKING_CREATED", {
      uid: "ida",
      title: "Piano lesson",
      ...person("Ida Nö", "ida@x.io"),
    }),
  );
  // Words: piano lesson ida no ida x io — "x" is too short to be looked up by.
  assert.deepEqual(await tokens(app, "ida"), ["id", "io", "le", "less", "no", "pi", "pian"]);
  for (
    const [q, expected] of [
      ["pia", ["ida"]],
      ["pianos", []],
      ["lesso", ["ida"]],
      ["id", ["ida"]],
      [
        "no",
        ["ida"],
      ],
      ["ida piano", ["ida"]],
      ["ida violin", []],
    ] as const
  ) {
    assert.deepEqual(await found(app, q), expected, `q=${q}`);
  }
  app.close();
});

Deno.test("[admin] search index: changed words move their keys in the same commit", async () => {
  const app = await startTestApp();
  const created = new Date(Date.now() - 60_000).toISOString();
  await post(
    app,
    bookingEvent("BOOKING_CREATED", {
      uid: "mo",
      title: "Guitar",
      ...person("Mo Ali", "mo@ali.example"),
    }, created),
  );
  await post(
    app,
    bookingEvent("BOOKING_CREATED", {
      uid: "mo",
      title: "Violin",
      ...person("Mo Ali", "mo@ali.example"),
    }),
  );
  assert.equal((await getBooking(app.kv, "mo"))?.facts?.title, "Violin");
  assert.deepEqual(await tokens(app, "mo"), ["al", "ex", "exam", "mo", "vi", "viol"]);
  assert.deepEqual(await found(app, "guitar"), []);
  assert.deepEqual(await found(app, "violin"), ["mo"]);
  app.close();
});
