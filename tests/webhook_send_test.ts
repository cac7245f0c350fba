/**
 * `deno task webhook:send` as an operator runs it: the CLI as a subprocess against the real app
 * (main.ts as a subprocess with its own KV file) and against a capture server that checks every
 * signature with its own WebCrypto HMAC over the exact bytes received.
 */
import assert from "node:assert/strict";
import {
  type CaptureServer,
  independentHmacHex,
  runCli,
  startCaptureServer,
  startRealApp,
} from "./helpers/webhook_cli.ts";

const SECRET = "cli-test-secret";
const ANSI = "\x1b[";

interface SuiteJson {
  ok: boolean;
  checks: { name: string; status: number | null; passed: boolean }[];
}

Deno.test("[webhook:send] against the real app (main.ts)", async (t) => {
  const app = await startRealApp({ CALCOM_WEBHOOK_SECRET: SECRET });
  const url = `${app.origin}/api/calcom-webhook`;
  try {
    await t.step("--suite passes and prints a plain table when not on a terminal", async () => {
      const run = await runCli(["--suite", "--url", url, "--secret", SECRET]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      for (const name of ["health", "valid PING", "duplicate", "invalid signature"]) {
        assert.match(run.stdout, new RegExp(`^${name} .* PASS`, "m"));
      }
      assert.match(run.stdout, /^missing signature .* PASS/m);
      assert.match(run.stdout, /^oversized body .*413 .* PASS/m);
      assert.match(run.stdout, /all 7 checks passed/);
      assert.ok(!run.stdout.includes(ANSI), "no colour codes in a pipe");
    });

    await t.step("--suite --json reports every check for CI", async () => {
      const run = await runCli(["--suite", "--json", "--event", "BOOKING_CREATED", "--url", url], {
        CALCOM_WEBHOOK_SECRET: SECRET,
      });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const report: SuiteJson = JSON.parse(run.stdout);
      assert.equal(report.ok, true);
      assert.deepEqual(report.checks.map((c) => [c.name, c.status, c.passed]), [
        ["health", 200, true],
        ["valid BOOKING_CREATED", 200, true],
        ["duplicate", 200, true],
        ["invalid signature", 401, true],
        ["missing signature", 401, true],
        ["no-secret-provided", 401, true],
        ["oversized body", 413, true],
      ]);
    });

    await t.step("--suite fails (exit 1) when the secret is wrong", async () => {
      const run = await runCli(["--suite", "--json", "--url", url, "--secret", "not-the-one"]);
      assert.equal(run.code, 1);
      const report: SuiteJson = JSON.parse(run.stdout);
      assert.equal(report.ok, false);
      const valid = report.checks.find((c) => c.name === "valid PING");
      assert.deepEqual([valid?.status, valid?.passed], [401, false]);
    });

    await t.step("a single send prints the status and body; --bad-signature exits 1", async () => {
      const good = await runCli(["--event", "BOOKING_CREATED", "--url", url, "--secret", SECRET]);
      assert.equal(good.code, 0, good.stdout + good.stderr);
      assert.match(good.stdout, /^HTTP 200 OK$/m);
      assert.match(good.stdout, /"ok":true,"id":"[0-9A-Z]{26}"/);
      const bad = await runCli(["--bad-signature", "--url", url, "--secret", SECRET]);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /^HTTP 401 Unauthorized$/m);
    });

    await t.step("--sequence: create, reschedule and cancel are all accepted", async () => {
      const run = await runCli(["--sequence", "--json", "--url", url, "--secret", SECRET]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const { ok, steps } = JSON.parse(run.stdout);
      assert.equal(ok, true);
      assert.deepEqual(
        steps.map((s: { trigger: string; status: number }) => [s.trigger, s.status]),
        [["BOOKING_CREATED", 200], ["BOOKING_RESCHEDULED", 200], ["BOOKING_CANCELLED", 200]],
      );
    });
  } finally {
    await app.close();
  }
});

Deno.test("[webhook:send] --env local finds the secret the local instance generated", async () => {
  const app = await startRealApp(); // no CALCOM_WEBHOOK_SECRET: it generates one into its KV
  try {
    const env = { PORT: String(app.port), KV_PATH: app.kvPath };
    const run = await runCli(["--env", "local", "--event", "PING"], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`POST http://localhost:${app.port}/api/calcom-webhook`));
    assert.match(run.stdout, /^HTTP 200 OK$/m);
  } finally {
    await app.close();
  }
});

async function withCapture(fn: (capture: CaptureServer) => Promise<void>) {
  const capture = startCaptureServer();
  try {
    await fn(capture);
  } finally {
    await capture.close();
  }
}

Deno.test("[webhook:send] signs the exact bytes it sends, as Cal.com does", async (t) => {
  await withCapture(async (capture) => {
    const url = `${capture.origin}/hooks/cal`;
    await t.step("templates: fresh uids, lowercase hex HMAC, version header", async () => {
      for (let i = 0; i < 2; i++) {
        const run = await runCli(["--event", "BOOKING_CREATED", "--url", url, "--secret", SECRET]);
        assert.equal(run.code, 0, run.stderr);
      }
      const [a, b] = capture.requests;
      for (const req of [a, b]) {
        assert.equal(req.method, "POST");
        assert.equal(req.path, "/hooks/cal");
        assert.equal(req.headers.get("content-type"), "application/json");
        assert.equal(req.headers.get("x-cal-webhook-version"), "2021-10-20");
        const expected = await independentHmacHex(SECRET, req.body);
        assert.equal(req.headers.get("x-cal-signature-256"), expected);
        assert.match(expected, /^[0-9a-f]{64}$/);
      }
      const [pa, pb] = [a, b].map((r) => JSON.parse(new TextDecoder().decode(r.body)));
      assert.equal(pa.triggerEvent, "BOOKING_CREATED");
      assert.notEqual(pa.payload.uid, pb.payload.uid);
      assert.ok(Date.parse(pa.payload.startTime) > Date.now(), "the booking is in the future");
    });

    await t.step("--file is sent byte for byte", async () => {
      const file = await Deno.makeTempFile({ suffix: ".json" });
      const text = '{ "triggerEvent" : "PING",\n  "payload": {"title": "Café ☕"} }\r\n';
      await Deno.writeTextFile(file, text);
      capture.requests.length = 0;
      const run = await runCli(["--file", file, "--url", url], { CALCOM_WEBHOOK_SECRET: SECRET });
      await Deno.remove(file);
      assert.equal(run.code, 0, run.stderr);
      const [req] = capture.requests;
      assert.deepEqual(req.body, new TextEncoder().encode(text));
      assert.equal(
        req.headers.get("x-cal-signature-256"),
        await independentHmacHex(SECRET, req.body),
      );
    });

    await t.step("--bad-signature and --no-secret", async () => {
      capture.requests.length = 0;
      await runCli(["--bad-signature", "--url", url, "--secret", SECRET]);
      await runCli(["--no-secret", "--url", url]);
      const [bad, none] = capture.requests;
      const badHeader = bad.headers.get("x-cal-signature-256") ?? "";
      assert.match(badHeader, /^[0-9a-f]{64}$/);
      assert.notEqual(badHeader, await independentHmacHex(SECRET, bad.body));
      assert.equal(none.headers.get("x-cal-signature-256"), "no-secret-provided");
    });

    await t.step("a non-2xx answer exits 1 and shows the status", async () => {
      capture.status = 500;
      const run = await runCli(["--url", url, "--secret", SECRET]);
      capture.status = 200;
      assert.equal(run.code, 1);
      assert.match(run.stdout, /^HTTP 500 Internal Server Error$/m);
    });
  });
});

Deno.test("[webhook:send] --sequence follows one booking through a reschedule", async () => {
  await withCapture(async (capture) => {
    const run = await runCli(["--sequence", "--url", capture.origin, "--secret", SECRET]);
    assert.equal(run.code, 0, run.stderr);
    const bodies = capture.requests.map((r) => JSON.parse(new TextDecoder().decode(r.body)));
    assert.deepEqual(capture.requests.map((r) => r.path), Array(3).fill("/api/calcom-webhook"));
    const [created, moved, cancelled] = bodies;
    assert.deepEqual(bodies.map((b) => b.triggerEvent), [
      "BOOKING_CREATED",
      "BOOKING_RESCHEDULED",
      "BOOKING_CANCELLED",
    ]);
    assert.equal(moved.payload.rescheduleUid, created.payload.uid);
    assert.notEqual(moved.payload.uid, created.payload.uid);
    assert.equal(cancelled.payload.uid, moved.payload.uid);
    assert.ok(Date.parse(created.createdAt) < Date.parse(moved.createdAt));
  });
});

Deno.test("[webhook:send] --env preview/production read their URL from flags or env", async () => {
  await withCapture(async (capture) => {
    const a = await runCli(["--env", "production", "--secret", SECRET], {
      PRODUCTION_URL: capture.origin,
    });
    const b = await runCli([
      "--env",
      "preview",
      "--preview-url",
      capture.origin + "/",
      "--no-secret",
    ]);
    assert.deepEqual([a.code, b.code], [0, 0], a.stderr + b.stderr);
    assert.deepEqual(capture.requests.map((r) => r.path), Array(2).fill("/api/calcom-webhook"));
  });
});

Deno.test("[webhook:send] usage problems exit 2 with one line", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--env", "staging"], /--env must be local, preview or production/],
    [["--env", "production", "--secret", "x"], /needs --production-url or PRODUCTION_URL/],
    [["--event", "BOOKING_CONFIRMED"], /unknown --event "BOOKING_CONFIRMED"/],
    [["--frobnicate"], /frobnicate/],
    [["--url", "http://127.0.0.1:9/api/calcom-webhook"], /no webhook secret/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, message);
    });
  }
});
