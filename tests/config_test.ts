import assert from "node:assert/strict";
import { loadConfig } from "@/lib/config.ts";

function problems(env: Record<string, string>): string[] {
  const result = loadConfig(env);
  assert.equal(result.ok, false, "expected configuration problems");
  return result.ok ? [] : result.problems;
}

Deno.test("[config] nothing set: a complete local instance", () => {
  const result = loadConfig({});
  assert.ok(result.ok);
  const c = result.config;
  assert.equal(c.port, 8000);
  assert.equal(c.kvPath, ".data/kv.sqlite3");
  assert.deepEqual(c.webhookSecrets, []);
  assert.equal(c.sendgrid, undefined);
  assert.deepEqual(c.notifyEvents, [
    "BOOKING_CREATED",
    "BOOKING_RESCHEDULED",
    "BOOKING_CANCELLED",
    "BOOKING_REQUESTED",
  ]);
  assert.equal(c.publicUrl, "http://localhost:8000");
  assert.equal(c.queueMode, "kv");
  assert.equal(c.production, false);
});

Deno.test("[config] values are parsed and normalised", () => {
  const result = loadConfig({
    PORT: "9000",
    CALCOM_WEBHOOK_SECRET: " new , old ",
    SENDGRID_API_KEY: "SG.key",
    SENDGRID_API_URL: "http://127.0.0.1:8787",
    EMAIL_FROM: "bookings@example.com",
    EMAIL_TO: "a@example.com, b@example.com",
    NOTIFY_EVENTS: "BOOKING_CREATED,BOOKING_NO_SHOW_UPDATED",
    STAFF_TIMEZONE: "Europe/Berlin",
    PUBLIC_URL: "https://book.example.com/",
  });
  assert.ok(result.ok);
  const c = result.config;
  assert.equal(c.port, 9000);
  assert.deepEqual(c.webhookSecrets, ["new", "old"]);
  assert.deepEqual(c.sendgrid, { apiKey: "SG.key", apiUrl: "http://127.0.0.1:8787" });
  assert.deepEqual(c.emailTo, ["a@example.com", "b@example.com"]);
  assert.deepEqual(c.notifyEvents, ["BOOKING_CREATED", "BOOKING_NO_SHOW_UPDATED"]);
  assert.equal(c.staffTimeZone, "Europe/Berlin");
  assert.equal(c.publicUrl, "https://book.example.com");
});

Deno.test("[config] queue mode: auto picks cron on Deploy and over KV Connect", () => {
  const mode = (env: Record<string, string>) => {
    const r = loadConfig(env);
    assert.ok(r.ok);
    return [r.config.queueMode, r.config.kvPath];
  };
  assert.deepEqual(mode({ DENO_DEPLOYMENT_ID: "x", CALCOM_WEBHOOK_SECRET: "s" }), [
    "cron",
    undefined,
  ]);
  assert.deepEqual(mode({ KV_PATH: "https://kv.example.com" }), [
    "cron",
    "https://kv.example.com",
  ]);
  assert.deepEqual(mode({ KV_PATH: ":memory:", QUEUE_MODE: "cron" }), ["cron", ":memory:"]);
});

Deno.test("[config] one clear line per problem", async (t) => {
  await t.step("production refuses to start without a webhook secret", () => {
    assert.deepEqual(problems({ DENO_DEPLOYMENT_ID: "abc" }), [
      "CALCOM_WEBHOOK_SECRET: required in production (DENO_DEPLOYMENT_ID is set)",
    ]);
  });
  await t.step("SendGrid needs a sender and recipients", () => {
    const lines = problems({ SENDGRID_API_KEY: "SG.x" });
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^EMAIL_FROM: /);
    assert.match(lines[1], /^EMAIL_TO: /);
  });
  await t.step("each invalid variable is named on its own line", () => {
    const lines = problems({
      PORT: "eighty",
      EMAIL_TO: "staff",
      NOTIFY_EVENTS: "BOOKING_CREATED,BOOKING_TELEPORTED",
      STAFF_TIMEZONE: "Mars/Olympus",
      QUEUE_MODE: "sometimes",
      PUBLIC_URL: "not a url",
    });
    const named = lines.map((line) => line.split(/[.:]/)[0]).sort();
    assert.deepEqual(named, [
      "EMAIL_TO",
      "NOTIFY_EVENTS",
      "PORT",
      "PUBLIC_URL",
      "QUEUE_MODE",
      "STAFF_TIMEZONE",
    ]);
  });
  await t.step("admin bootstrap needs both variables and a long password", () => {
    assert.match(problems({ ADMIN_EMAIL: "a@example.com" })[0], /ADMIN_EMAIL and ADMIN_PASSWORD/);
    assert.match(
      problems({ ADMIN_EMAIL: "a@example.com", ADMIN_PASSWORD: "short" })[0],
      /ADMIN_PASSWORD: must be at least 12/,
    );
  });
  await t.step("kv queues cannot run over KV Connect", () => {
    assert.match(
      problems({ KV_PATH: "https://kv.example.com", QUEUE_MODE: "kv" })[0],
      /^QUEUE_MODE: /,
    );
  });
  await t.step("secrets never appear in the problems", () => {
    const lines = problems({ SENDGRID_API_KEY: "SG.very-secret", METRICS_TOKEN: "short" });
    assert.ok(lines.every((line) => !line.includes("SG.very-secret")));
  });
});

Deno.test("[config] main.ts prints each problem and exits non-zero", async () => {
  const { code, stderr, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: new URL("..", import.meta.url),
    env: { DENO_DEPLOYMENT_ID: "test", PORT: "eighty", KV_PATH: ":memory:", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 1);
  const text = new TextDecoder().decode(stderr);
  assert.match(text, /configuration problems/);
  assert.match(text, /PORT: /);
  assert.equal(new TextDecoder().decode(stdout).includes("listening"), false);
});
