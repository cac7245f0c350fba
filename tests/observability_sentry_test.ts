import assert from "node:assert/strict";
import { setBuildId } from "@/lib/fresh/islands/build_id.ts";
import type { FreshContext } from "$fresh/server.ts";
import { redactText } from "@/lib/observability/scrub.ts";
import {
  captureError,
  closeSentry,
  flushSentry,
  initSentry,
  monitored,
} from "@/lib/observability/sentry.ts";
import { handler as rootMiddleware, type RequestState } from "@/routes/_middleware.ts";

interface Envelope {
  path: string;
  publicKey: string | null;
  header: Record<string, unknown>;
  items: { type: string; payload: Record<string, unknown> }[];
  raw: string;
}

/** A fake Sentry ingest endpoint that parses envelopes as Sentry's relay does: JSON lines. */
function startFakeIngest() {
  const envelopes: Envelope[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const raw = await req.text();
    const lines = raw.split("\n").filter((l) => l !== "");
    const items: Envelope["items"] = [];
    for (let i = 1; i + 1 < lines.length; i += 2) {
      items.push({ type: JSON.parse(lines[i]).type, payload: JSON.parse(lines[i + 1]) });
    }
    const auth = req.headers.get("x-sentry-auth") ?? "";
    envelopes.push({
      path: url.pathname,
      publicKey: url.searchParams.get("sentry_key") ?? /sentry_key=([^,\s]+)/.exec(auth)?.[1] ??
        null,
      header: JSON.parse(lines[0]),
      items,
      raw,
    });
    return Response.json({ id: "ok" });
  });
  return {
    envelopes,
    dsn: `http://publickey@127.0.0.1:${server.addr.port}/42`,
    close: () => server.shutdown(),
  };
}

const PERSONAL = [
  "jane.doe@example.com",
  "Jane Doe",
  "Strategy session about my divorce",
  "s3cr3t-value",
  "abc.def.ghi",
  "SG.keypart.secretpart",
  "session=0123456789abcdef",
];
const hostileError = () =>
  new Error(
    `Could not parse "Jane Doe <jane.doe@example.com>" in 'Strategy session about my divorce'; ` +
      "Authorization: Bearer abc.def.ghi token=s3cr3t-value key SG.keypart.secretpart " +
      "cookie=session=0123456789abcdef",
    { cause: new Error("attendee jane.doe@example.com") },
  );

function eventOf(envelope: Envelope) {
  const item = envelope.items.find((i) => i.type === "event");
  assert.ok(item, "the envelope holds an event");
  // deno-lint-ignore no-explicit-any
  return item.payload as any;
}

Deno.test("[sentry] a route error reaches the ingest endpoint scrubbed, with ids and release", async () => {
  const ingest = startFakeIngest();
  setBuildId("build-7f3a");
  await initSentry({ dsn: ingest.dsn, environment: "staging" });
  const error = hostileError();
  const ctx = {
    state: {},
    url: new URL("http://localhost/api/calcom-webhook"),
    route: "/api/calcom-webhook",
    destination: "route",
    next: () => Promise.reject(error),
  } as unknown as FreshContext<RequestState>;
  const req = new Request("http://localhost/api/calcom-webhook", {
    method: "POST",
    headers: { "x-request-id": "req-sentry-1", cookie: "s=abc", authorization: "Bearer zzz" },
  });
  await assert.rejects(rootMiddleware(req, ctx), (e) => e === error);
  assert.ok(await flushSentry());

  assert.equal(ingest.envelopes.length, 1);
  const envelope = ingest.envelopes[0];
  assert.equal(envelope.path, "/api/42/envelope/");
  assert.equal(envelope.publicKey, "publickey");
  const event = eventOf(envelope);
  assert.equal(event.release, "build-7f3a");
  assert.equal(event.environment, "staging");
  assert.equal(event.level, "error");
  assert.deepEqual(event.tags, {
    area: "route",
    route: "/api/calcom-webhook",
    method: "POST",
    request_id: "req-sentry-1",
  });
  const values = event.exception.values;
  assert.deepEqual(values.map((v: { type: string }) => v.type), ["Error", "Error"]);
  const top = values.at(-1);
  assert.match(top.value, /^Could not parse "\[redacted\]" in '\[redacted\]'/);
  assert.ok(
    top.stacktrace.frames.some((f: { filename: string }) =>
      f.filename.endsWith("observability_sentry_test.ts")
    ),
  );
  for (const secret of [...PERSONAL, "zzz", "s=abc"]) {
    assert.ok(!envelope.raw.includes(secret), `not sent: ${secret}`);
  }
  assert.equal(event.user, undefined);
  assert.equal(event.request, undefined);
  assert.equal(event.breadcrumbs, undefined);
  await closeSentry();
  await ingest.close();
});

Deno.test("[sentry] cron and dispatch errors are reported once, with their area", async () => {
  const ingest = startFakeIngest();
  await initSentry({ dsn: ingest.dsn, environment: "production" });
  const cronError = new TypeError("sweep broke");
  const job = monitored("cron", "deliveries-sweep", () => Promise.reject(cronError));
  await assert.rejects(job(), (e) => e === cronError);
  const dispatchError = hostileError();
  assert.ok(captureError(dispatchError, { area: "dispatch", delivery_id: "01DELIVERY" }));
  assert.equal(captureError(dispatchError, { area: "dispatch" }), undefined, "not twice");
  await flushSentry();

  const events = ingest.envelopes.map(eventOf);
  assert.deepEqual(events.map((e) => e.tags), [
    { area: "cron", job: "deliveries-sweep" },
    { area: "dispatch", delivery_id: "01DELIVERY" },
  ]);
  assert.equal(events[0].exception.values[0].type, "TypeError");
  for (const secret of PERSONAL) assert.ok(!ingest.envelopes[1].raw.includes(secret), secret);
  await closeSentry();
  await ingest.close();
});

Deno.test("[sentry] without a DSN nothing is captured or sent", () => {
  assert.equal(captureError(new Error("x"), { area: "route" }), undefined);
});

Deno.test("[sentry] redactText keeps the shape of a message and drops what a person typed", () => {
  assert.equal(
    redactText(`Unexpected token 'J', "Jane Doe" is not valid JSON`),
    `Unexpected token 'J', "[redacted]" is not valid JSON`,
  );
  assert.equal(
    redactText("Cannot read properties of undefined (reading 'startTime')"),
    "Cannot read properties of undefined (reading 'startTime')",
  );
  assert.equal(redactText("mail to bob@example.org failed"), "mail to [email] failed");
  assert.equal(redactText("sig " + "ab".repeat(32)), "sig [hex]");
  assert.equal(redactText("x".repeat(600)).length, 501);
});
