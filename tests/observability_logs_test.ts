import assert from "node:assert/strict";
import { loadConfig } from "@/lib/config.ts";
import type { EmailTransport } from "@/lib/email/types.ts";
import { setLogLevel } from "@/lib/log.ts";
import { initObservability } from "@/lib/observability/mod.ts";
import { personalStrings, scanLogText } from "@/lib/observability/log_scan.ts";
import { createDispatcher, dispatchDelivery } from "@/lib/outbox/mod.ts";
import { startTestApp } from "./helpers/app.ts";
import { fixtureBody, fixtureJson, signedWebhookRequest, TEST_SECRET } from "./helpers/calcom.ts";

type LogLine = Record<string, string | number | boolean | null>;

/** Runs `fn` with console output captured; returns our JSON log lines. */
async function captureLogs(fn: () => Promise<void>): Promise<{ lines: LogLine[]; raw: string }> {
  const raw: string[] = [];
  const { log, error } = console;
  console.log = console.error = (...args: unknown[]) => raw.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    Object.assign(console, { log, error });
  }
  const lines = raw.filter((l) => l.startsWith('{"time":"')).map((l) => JSON.parse(l));
  return { lines, raw: raw.join("\n") };
}

const okTransport: EmailTransport = {
  name: "sendgrid",
  send: () => Promise.resolve({ ok: true, httpStatus: 202, messageId: "msg-1" }),
};

const forbidden = () => [
  TEST_SECRET,
  ...personalStrings(fixtureJson("BOOKING_CREATED")),
  ...personalStrings(fixtureJson("BOOKING_CANCELLED")),
];

Deno.test("[logs] one line per request with level, msg, request id, route, status, duration", async () => {
  const app = await startTestApp();
  const responses: Response[] = [];
  const { lines, raw } = await captureLogs(async () => {
    responses.push(await app.request(await signedWebhookRequest(fixtureBody("BOOKING_CREATED"))));
    responses.push(await app.fetch("/api/health", { headers: { "x-request-id": "ops-check-1" } }));
    responses.push(
      await app.request(
        await signedWebhookRequest(fixtureBody("BOOKING_CANCELLED"), { signature: "bad" }),
      ),
    );
  });
  for (const res of responses) await res.body?.cancel();
  const requests = lines.filter((l) => l.msg === "request");
  assert.equal(requests.length, 3, "one request line each");
  responses.forEach((res, i) => {
    const line = requests[i];
    assert.equal(line.level, "info");
    assert.equal(line.requestId, res.headers.get("x-request-id"));
    assert.equal(line.status, res.status);
    assert.equal(typeof line.durationMs, "number");
  });
  assert.deepEqual(requests.map((l) => [l.method, l.route, l.status]), [
    ["POST", "/api/calcom-webhook", 200],
    ["GET", "/api/health", 200],
    ["POST", "/api/calcom-webhook", 401],
  ]);
  assert.equal(requests[1].requestId, "ops-check-1");

  const stored = lines.find((l) => l.msg === "webhook stored");
  assert.equal(stored?.trigger, "BOOKING_CREATED");
  assert.equal(stored?.requestId, requests[0].requestId);
  const rejected = lines.find((l) => l.msg === "webhook signature rejected");
  assert.equal(rejected?.level, "warn");
  assert.deepEqual(scanLogText(raw, forbidden()), []);
  app.close();
});

Deno.test("[logs] one line per dispatch attempt, tied to the webhook's request id", async () => {
  const app = await startTestApp();
  const res = await app.request(await signedWebhookRequest(fixtureBody("BOOKING_CREATED")));
  const requestId = res.headers.get("x-request-id");
  await res.body?.cancel();
  let deliveryId = "";
  for await (const e of app.kv.list({ prefix: ["delivery_due"] })) deliveryId = String(e.key[2]);
  const dispatcher = createDispatcher(app.services, { transport: okTransport });

  const { lines, raw } = await captureLogs(async () => {
    assert.equal(await dispatchDelivery(dispatcher, deliveryId), "accepted");
    assert.equal(await dispatchDelivery(dispatcher, deliveryId), "skipped");
  });
  const attempts = lines.filter((l) => l.msg === "delivery attempt");
  assert.equal(attempts.length, 1, "a skipped claim is no attempt");
  const [line] = attempts;
  assert.equal(line.level, "info");
  assert.equal(line.deliveryId, deliveryId);
  assert.equal(line.requestId, requestId);
  assert.equal(line.trigger, "BOOKING_CREATED");
  assert.equal(line.status, "accepted");
  assert.equal(line.attempt, 1);
  assert.equal(line.httpStatus, 202);
  assert.equal(typeof line.durationMs, "number");
  assert.equal(typeof line.eventId, "string");
  assert.deepEqual(scanLogText(raw, forbidden()), []);
  app.close();
});

Deno.test("[logs] LOG_LEVEL sets the lowest level written; unknown levels are refused", async () => {
  const warnOnly = loadConfig({ LOG_LEVEL: "warn" });
  assert.ok(warnOnly.ok);
  const app = await startTestApp();
  try {
    await initObservability(warnOnly.config);
    const { lines } = await captureLogs(async () => {
      await (await app.fetch("/api/health")).body?.cancel();
      const req = await signedWebhookRequest(fixtureBody("BOOKING_CREATED"), { signature: "x" });
      await (await app.request(req)).body?.cancel();
    });
    assert.deepEqual(lines.map((l) => l.msg), ["webhook signature rejected"]);
  } finally {
    setLogLevel("info");
    app.close();
  }
  const bad = loadConfig({ LOG_LEVEL: "verbose" });
  assert.ok(!bad.ok);
  assert.match(bad.problems.join("\n"), /^LOG_LEVEL: /m);
  assert.equal(
    (loadConfig({}) as { ok: true; config: { logLevel: string } }).config.logLevel,
    "info",
  );
});

Deno.test("[logs] the audit finds addresses, tokens and fixture text, and names no content", () => {
  const names = [...personalStrings(fixtureJson("BOOKING_CREATED"))];
  assert.ok(names.length > 3, "fixture personal strings are collected");
  const text = [
    '{"time":"t","level":"info","msg":"ok","deliveryId":"01ABC"}',
    '{"time":"t","level":"info","msg":"to","x":"someone@example.com"}',
    '{"time":"t","level":"warn","msg":"auth","h":"Bearer abc"}',
    `{"time":"t","level":"info","msg":"n","x":${JSON.stringify(names[0])}}`,
    "not a log line: someone@example.com",
  ].join("\n");
  assert.deepEqual(scanLogText(text, names), [
    { line: 2, kind: "email address" },
    { line: 3, kind: "bearer token" },
    { line: 4, kind: "known personal or secret text" },
  ]);
});
