/**
 * Property-based fuzzing of `POST /api/calcom-webhook` through the real handler and a real KV:
 * whatever arrives, the answer is the contract's status (never a 5xx, never a crash), a signed
 * body is stored byte for byte, and the store stays consistent after every single case.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_WEBHOOK_BODY } from "@/lib/calcom/body.ts";
import { bodyDigest, getEvent } from "@/lib/store/events.ts";
import { getBooking } from "@/lib/store/bookings.ts";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { kvProblems } from "./helpers/kv_invariants.ts";
import { startAppProcess } from "./helpers/app_process.ts";
import { TEST_SECRET } from "./helpers/calcom.ts";
import {
  invalidUtf8,
  manyAttendees,
  nested,
  plant,
  PLANT_SITES,
  type PlantSite,
  SIGNATURE_MODES,
  signatureFor,
  type SignatureMode,
  utf8,
  verifies,
} from "./helpers/hostile.ts";

interface Delivery {
  body: Uint8Array<ArrayBuffer>;
  signature?: SignatureMode;
  contentType?: string | null;
  contentLength?: string;
  /** Sizes of the pieces the body arrives in, with a pause before each. */
  pieces?: number[];
  /** What was planted where, for a readable counterexample. */
  label?: string;
}

/** Counts cases run per property, printed at the end for the report. */
const casesRun = new Map<string, number>();

/** The body in at most 24 uneven pieces (the last one takes the rest), each after a pause. */
function bodyStream(body: Uint8Array, pieces: number[]): ReadableStream<Uint8Array> {
  let offset = 0;
  let i = 0;
  return new ReadableStream({
    async pull(controller) {
      if (offset >= body.length) return controller.close();
      await new Promise((r) => setTimeout(r, i % 3));
      const size = i >= 23 ? body.length : Math.max(1, pieces[i % pieces.length]);
      i++;
      controller.enqueue(body.slice(offset, offset + size));
      offset += size;
    },
  });
}

function describe(d: Delivery): string {
  const text = d.label ?? new TextDecoder().decode(d.body.subarray(0, 160));
  return JSON.stringify({ ...d, body: `${d.body.byteLength} bytes: ${text}` });
}

async function deliver(app: TestApp, d: Delivery): Promise<Response> {
  const headers = new Headers({ "x-cal-webhook-version": "2021-10-20" });
  if (d.contentType !== null) headers.set("content-type", d.contentType ?? "application/json");
  if (d.contentLength !== undefined) headers.set("content-length", d.contentLength);
  const signature = await signatureFor(d.body, d.signature ?? "valid");
  if (signature !== null) headers.set("x-cal-signature-256", signature);
  const body = d.pieces ? bodyStream(d.body, d.pieces) : d.body;
  return await app.request(
    new Request("http://localhost/api/calcom-webhook", { method: "POST", body, headers }),
  );
}

/** The status the contract requires, and what must then be true of the store. */
async function assertContract(app: TestApp, d: Delivery, res: Response): Promise<void> {
  const answer = await res.json();
  assert.ok(res.status < 500, `5xx: ${res.status} ${JSON.stringify(answer)}`);
  const declared = Number(d.contentLength);
  if (d.body.byteLength > MAX_WEBHOOK_BODY || declared > MAX_WEBHOOK_BODY) {
    assert.equal(res.status, 413);
  } else if (!verifies(d.signature ?? "valid")) {
    assert.equal(res.status, 401);
    assert.deepEqual(answer, { ok: false, error: "invalid signature" });
  } else {
    assert.ok(res.status === 200 || res.status === 202, `status ${res.status}`);
    const event = await getEvent(app.kv, answer.id);
    assert.ok(event, "answered 2xx but not stored");
    assert.equal(event.digest, await bodyDigest(d.body));
    assert.equal(event.size, d.body.byteLength);
    if (!answer.duplicate) assert.equal(event.recognised, res.status === 200);
  }
  const { problems } = await kvProblems(app.kv);
  assert.deepEqual(problems, []);
}

async function check(
  app: TestApp,
  name: string,
  arb: fc.Arbitrary<Delivery>,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      arb.map((d) => Object.assign(d, { [fc.toStringMethod]: () => describe(d) })),
      async (d) => {
        casesRun.set(name, (casesRun.get(name) ?? 0) + 1);
        await assertContract(app, d, await deliver(app, d));
      },
    ),
    { numRuns },
  );
}

const signature = fc.constantFrom(...SIGNATURE_MODES);
const signedBody = (text: fc.Arbitrary<string>) =>
  fc.record({ body: text.map(utf8), signature: fc.constantFrom<SignatureMode>("valid") });

Deno.test("[fuzz] random bytes and JSON, every kind of signature", async (t) => {
  const app = await startTestApp();
  await t.step(
    "random bytes",
    () =>
      check(
        app,
        "random bytes",
        fc.record({ body: fc.uint8Array({ maxLength: 2048 }), signature }),
        150,
      ),
  );
  await t.step("invalid UTF-8 inside JSON-looking text", () =>
    check(
      app,
      "invalid utf-8",
      fc.record({
        body: fc.tuple(fc.string(), fc.uint8Array({ maxLength: 64 })).map(([s, junk]) =>
          invalidUtf8(
            utf8(`{"triggerEvent":"BOOKING_CREATED","payload":${JSON.stringify(s)}`),
            junk,
          )
        ),
        signature,
      }),
      100,
    ));
  await t.step(
    "any JSON value",
    () =>
      check(
        app,
        "json values",
        fc.record({ body: fc.jsonValue().map((v) => utf8(JSON.stringify(v))), signature }),
        150,
      ),
  );
  app.close();
});

/** Hostile raw JSON planted somewhere inside a valid booking envelope. */
const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.constantFrom("null", "true", "-0", "1e400", "-1e400", "1e-400", "[]", "{}", '""'),
  fc.integer({ min: 1, max: 200_000 }).map((n) => "9".repeat(n)),
  fc.constantFrom(1_000, 70_000, 400_000, 1_000_000).map((n) => JSON.stringify("x".repeat(n))),
  fc.constantFrom(3_000, 40_000, 1_000_000).map((n) =>
    JSON.stringify("\u00e9\u4e2d".repeat(n / 3))
  ),
  fc.tuple(fc.constantFrom(100, 10_000, 170_000, 500_000), fc.constantFrom("array", "object"))
    .map(([depth, kind]) => nested(depth, kind as "array" | "object")),
  fc.constantFrom(
    '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    '{"__proto__":[1,2],"toString":"x","valueOf":1,"hasOwnProperty":null}',
    '{"notes":{"__proto__":{"label":"x"},"label":"constructor","value":{"__proto__":"v"}}}',
  ),
);

Deno.test("[fuzz] hostile values inside a valid, signed booking envelope", async () => {
  const app = await startTestApp();
  const arb = fc.record({
    planted: fc.tuple(fc.constantFrom(...PLANT_SITES), hostileJson),
    signature: fc.constantFrom<SignatureMode>("valid", "prefixed", "wrong-secret"),
  }).map(({ planted: [site, raw], signature }) => ({
    body: utf8(plant(site, raw)),
    signature,
    label: `${site} = ${raw.slice(0, 40)} (${raw.length} chars)`,
  }));
  await check(app, "planted values", arb, Number(Deno.env.get("FUZZ_RUNS") ?? 250));
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype polluted");
  app.close();
});

/** The worst of each kind, planted at every site (a fixed matrix, on top of the random cases). */
const WORST_VALUES = [
  nested(400_000, "array"),
  nested(150_000, "object"),
  JSON.stringify("x".repeat(900_000)),
  JSON.stringify("\u4e2d".repeat(100_000)),
  "9".repeat(300_000),
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
];

Deno.test("[fuzz] the worst value of each kind at every site", async () => {
  const app = await startTestApp();
  for (const site of PLANT_SITES) {
    for (const raw of WORST_VALUES) {
      const d: Delivery = { body: utf8(plant(site, raw)), label: `${site} = ${raw.slice(0, 30)}` };
      casesRun.set("worst-value matrix", (casesRun.get("worst-value matrix") ?? 0) + 1);
      await assertContract(app, d, await deliver(app, d)).catch((err) => {
        throw new Error(`${d.label}: ${err.message}`);
      });
    }
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype polluted");
  app.close();
});

Deno.test("[fuzz] size edges, thousands of attendees, deep nesting at the top", async (t) => {
  const app = await startTestApp();
  await t.step("attendees", async () => {
    await check(
      app,
      "many attendees",
      signedBody(fc.constantFrom(1_000, 3_000, 8_000, 20_000).map(manyAttendees)),
      8,
    );
    const body = manyAttendees(5_000);
    const res = await deliver(app, { body: utf8(body) });
    assert.equal(res.status, 200);
    const booking = await getBooking(app.kv, JSON.parse(body).payload.uid);
    assert.equal(booking?.attendeeCount, 5_000);
  });
  await t.step("bodies around the 1 MiB cap", () =>
    check(
      app,
      "size edges",
      fc.record({
        body: fc.integer({ min: -3, max: 3 }).map((d) =>
          utf8(JSON.stringify({ pad: "y".repeat(MAX_WEBHOOK_BODY - 10 + d) }))
        ),
        signature,
      }),
      12,
    ));
  await t.step("deeply nested top-level bodies", () =>
    check(
      app,
      "deep nesting",
      signedBody(
        fc.tuple(fc.integer({ min: 1_000, max: 170_000 }), fc.constantFrom("array", "object"))
          .map(([d, k]) => nested(d, k as "array" | "object")),
      ),
      12,
    ));
  app.close();
});

const CONTENT_TYPES = [
  null,
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=zzz",
  "application/json; charset=latin1",
  "\u00e9/\u00e9",
  "x".repeat(4000),
];

Deno.test("[fuzz] oversized headers next to a body just under the inline limit", async () => {
  const app = await startTestApp();
  for (const size of [59_000, 59_990, 60_000]) {
    const body = utf8(plant("payload.extra", JSON.stringify("p".repeat(size - 2400))));
    const d: Delivery = { body, contentType: "t".repeat(12_000) };
    const res = await app.request(
      new Request("http://localhost/api/calcom-webhook", {
        method: "POST",
        body,
        headers: {
          "content-type": "t".repeat(12_000),
          "x-cal-webhook-version": "v".repeat(12_000),
          "x-cal-signature-256": (await signatureFor(body, "valid"))!,
        },
      }),
    );
    casesRun.set("oversized headers", (casesRun.get("oversized headers") ?? 0) + 1);
    await assertContract(app, d, res);
  }
  app.close();
});

Deno.test("[fuzz] content types, lying Content-Length, slow bodies", async (t) => {
  const app = await startTestApp();
  const booking = fc.constant(null).map(() => utf8(plant("payload.extra", "1")));
  await t.step("wrong and missing content types", () =>
    check(
      app,
      "content types",
      fc.record({ body: booking, contentType: fc.constantFrom(...CONTENT_TYPES), signature }),
      60,
    ));
  await t.step("Content-Length that lies", () =>
    check(
      app,
      "lying content-length",
      fc.record({
        body: fc.oneof(booking, fc.constant(utf8("z".repeat(MAX_WEBHOOK_BODY + 1)))),
        contentLength: fc.oneof(
          fc.nat({ max: 2 * MAX_WEBHOOK_BODY }).map(String),
          fc.constantFrom("-1", "abc", "1e20", "18446744073709551616", " 12 ", "0x10"),
        ),
        signature,
      }),
      60,
    ));
  await t.step("bodies arriving slowly in uneven pieces", () =>
    check(
      app,
      "slow bodies",
      fc.record({
        body: fc.oneof(booking, fc.constant(utf8("w".repeat(MAX_WEBHOOK_BODY + 7)))),
        pieces: fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 6 }),
        signature,
      }),
      30,
    ));
  await t.step("a body stream that breaks off mid-way", async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(utf8('{"triggerEvent":'));
        c.error(new Error("connection reset"));
      },
    });
    const res = await app.request(
      new Request("http://localhost/api/calcom-webhook", { method: "POST", body: broken }),
    );
    assert.equal(res.status, 400);
    await res.body?.cancel();
    assert.deepEqual((await kvProblems(app.kv)).problems, []);
  });
  app.close();
});

Deno.test("[fuzz] KV down: 503, the one 5xx the contract allows", async () => {
  const app = await startTestApp();
  app.kv.close();
  const res = await deliver(app, { body: utf8(plant("payload.extra", "1")) });
  assert.equal(res.status, 503);
  await res.body?.cancel();
});

Deno.test("[fuzz] case counts", () => {
  const total = [...casesRun.values()].reduce((a, b) => a + b, 0);
  console.log(`fuzz cases: ${total} (${[...casesRun].map(([k, v]) => `${k} ${v}`).join(", ")})`);
  assert.ok(total > 0);
});

/** Raw bytes on a TCP connection, read back until the server answers or `waitMs` pass. */
async function rawExchange(port: number, parts: string[], pauseMs: number, waitMs = 300) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const answer = new Uint8Array(512);
  try {
    for (const part of parts) {
      await conn.write(new TextEncoder().encode(part));
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
    const timer = setTimeout(() => conn.close(), waitMs);
    const n = await conn.read(answer).catch(() => null);
    clearTimeout(timer);
    return n ? new TextDecoder().decode(answer.subarray(0, n)).split("\r\n")[0] : "no answer";
  } finally {
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

const RAW_ATTACKS: { name: string; parts: string[]; pauseMs: number }[] = [
  {
    name: "Content-Length larger than the body, then hang up",
    parts: ["POST /api/calcom-webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{}"],
    pauseMs: 0,
  },
  {
    name: "Content-Length of 2^62",
    parts: [
      "POST /api/calcom-webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 4611686018427387904\r\n\r\n{",
    ],
    pauseMs: 0,
  },
  {
    name: "a body dripping in one byte at a time",
    parts: [
      "POST /api/calcom-webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n",
      ...'{"triggerEvent":"PING"}',
    ],
    pauseMs: 15,
  },
  {
    name: "chunked with an absurd chunk size",
    parts: [
      "POST /api/calcom-webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc",
    ],
    pauseMs: 0,
  },
  {
    name: "both Content-Length and chunked",
    parts: [
      "POST /api/calcom-webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    ],
    pauseMs: 0,
  },
];

Deno.test("[fuzz] the app process under hostile traffic: < 400 MB resident, still answering", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fuzz-rss-" });
  const app = await startAppProcess({
    env: { KV_PATH: `${dir}/kv.sqlite3`, CALCOM_WEBHOOK_SECRET: TEST_SECRET, QUEUE_MODE: "cron" },
  });
  let peakKiB = 0;
  const sampler = setInterval(() => (peakKiB = Math.max(peakKiB, app.memory().rssKiB)), 20);
  const bodies: Delivery[] = [];
  for (const raw of WORST_VALUES) {
    for (const site of ["payload.responses.notes.value", "payload.attendees", "payload.extra"]) {
      bodies.push({ body: utf8(plant(site as PlantSite, raw)) });
    }
  }
  bodies.push(...[20_000, 8_000].map((n) => ({ body: utf8(manyAttendees(n)) })));
  bodies.push(...Array.from({ length: 8 }, () => ({
    body: utf8("u".repeat(MAX_WEBHOOK_BODY)),
    signature: "wrong-secret" as const,
  })));
  bodies.push(
    ...Array.from({ length: 8 }, () => ({ body: utf8("v".repeat(2 * MAX_WEBHOOK_BODY)) })),
  );
  let accepted = 0;
  const send = async (d: Delivery) => {
    const signature = await signatureFor(d.body, d.signature ?? "valid");
    const res = await fetch(`${app.url}/api/calcom-webhook`, {
      method: "POST",
      body: d.body,
      headers: signature ? { "x-cal-signature-256": signature } : {},
    }).catch((err) => err as Error);
    if (res instanceof Error) {
      // The server may cut an oversized upload short after its 413; nothing else may fail.
      assert.ok(d.body.byteLength > MAX_WEBHOOK_BODY, `request failed: ${res.message}`);
      return;
    }
    await res.body?.cancel();
    assert.ok(res.status < 500, `status ${res.status}`);
    if (res.status < 300) accepted++;
  };
  for (let round = 0; round < 2; round++) {
    const queue = [...bodies];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) await send(d);
    }));
    await Promise.all(RAW_ATTACKS.map((a) => rawExchange(app.port, a.parts, a.pauseMs)));
    const held = await Promise.all(
      Array.from({ length: 64 }, () => Deno.connect({ hostname: "127.0.0.1", port: app.port })),
    );
    held.forEach((c) => c.close());
  }
  const health = await fetch(`${app.url}/api/health`);
  assert.equal(health.status, 200);
  await health.body?.cancel();
  clearInterval(sampler);
  peakKiB = Math.max(peakKiB, app.memory().peakKiB);
  console.log(`app process peak RSS under hostile traffic: ${(peakKiB / 1024).toFixed(0)} MiB`);
  assert.ok(peakKiB > 0 && peakKiB < 400 * 1024, `peak RSS ${peakKiB} KiB`);
  await app.stop("SIGTERM");
  const kv = await Deno.openKv(`${dir}/kv.sqlite3`);
  const { problems, census } = await kvProblems(kv);
  kv.close();
  assert.deepEqual(problems, []);
  assert.equal(census.events, accepted / 2, "each body stored once, its repeat a duplicate");
  await Deno.remove(dir, { recursive: true });
});
