import assert from "node:assert/strict";
import { noteDeadDelivery } from "@/lib/alerts/mod.ts";
import { alertSettings } from "@/lib/alerts/mod.ts";
import { observeDispatchLatency, renderMetrics } from "@/lib/observability/metrics.ts";
import { startTestApp } from "./helpers/app.ts";
import { bookingEvent, signedWebhookRequest } from "./helpers/calcom.ts";

const TOKEN = "metrics-token-0123456789abcdef";

/** Parses the text format strictly enough to catch what a Prometheus scraper rejects. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  assert.ok(text.endsWith("\n"), "ends with a newline");
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") {
        assert.match(meta[3], /^(counter|gauge|histogram)$/);
        typed.add(meta[2]);
      }
      continue;
    }
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\\n]|\\.)*",?)*\})? (\S+)$/
        .exec(line);
    assert.ok(sample, `a valid sample line: ${line}`);
    const family = sample[1].replace(/_(bucket|sum|count)$/, "");
    assert.ok(typed.has(sample[1]) || typed.has(family), `TYPE precedes ${sample[1]}`);
    assert.ok(!Number.isNaN(Number(sample[3])), `a number: ${line}`);
    samples.set(sample[1] + (sample[2] ?? ""), Number(sample[3]));
  }
  return samples;
}

Deno.test("[metrics] 404 without METRICS_TOKEN, 401 without the right Bearer token", async () => {
  const off = await startTestApp();
  assert.equal((await off.fetch("/api/metrics")).status, 404);
  off.close();

  const app = await startTestApp({ METRICS_TOKEN: TOKEN });
  for (const header of [undefined, "Bearer wrong", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, TOKEN]) {
    const res = await app.fetch("/api/metrics", {
      headers: header ? { authorization: header } : {},
    });
    assert.equal(res.status, 401, String(header));
    assert.equal(await res.text(), "Unauthorized");
  }
  const res = await app.fetch("/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  parseExposition(await res.text());
  app.close();
});

Deno.test("[metrics] counts events, outcomes, signature failures, deliveries and the outbox", async () => {
  const app = await startTestApp({ METRICS_TOKEN: TOKEN });
  const created = bookingEvent("BOOKING_CREATED");
  for (const body of [created, created, bookingEvent("BOOKING_CANCELLED"), '{"hello":1}']) {
    await app.request(await signedWebhookRequest(body));
  }
  await app.request(await signedWebhookRequest(created, { signature: "0".repeat(64) }));
  const res = await app.fetch("/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  const m = parseExposition(await res.text());
  assert.equal(m.get('calcom_webhook_events_total{trigger="BOOKING_CREATED"}'), 1);
  assert.equal(m.get('calcom_webhook_events_total{trigger="BOOKING_CANCELLED"}'), 1);
  assert.equal(m.get('calcom_webhook_event_outcomes_total{outcome="recognised"}'), 2);
  assert.equal(m.get('calcom_webhook_event_outcomes_total{outcome="unrecognised"}'), 1);
  assert.equal(m.get('calcom_webhook_event_outcomes_total{outcome="duplicate"}'), 1);
  assert.equal(m.get('calcom_webhook_event_outcomes_total{outcome="bad_signature"}'), 1);
  assert.equal(m.get("calcom_webhook_signature_failures_total"), 1);
  assert.equal(m.get('calcom_webhook_deliveries{status="queued"}'), 2);
  assert.equal(m.get('calcom_webhook_deliveries{status="dead"}'), 0);
  assert.equal(m.get("calcom_webhook_outbox_depth"), 2);
  assert.ok((m.get("calcom_webhook_last_event_age_seconds") ?? -1) >= 0);
  assert.equal(m.get('calcom_webhook_alert_open{alert="email_dead"}'), 0);
  app.close();
});

Deno.test("[metrics] the oldest due email's age comes from the first delivery_due entry", async () => {
  const app = await startTestApp();
  assert.match(await renderMetrics(app.kv), /^calcom_webhook_outbox_oldest_due_age_seconds 0$/m);
  await app.request(await signedWebhookRequest(bookingEvent("BOOKING_CREATED")));
  let dueAt = 0;
  for await (const e of app.kv.list({ prefix: ["delivery_due"] })) dueAt = Number(e.key[1]);
  const text = await renderMetrics(app.kv, dueAt + 90_500);
  assert.match(text, /^calcom_webhook_outbox_oldest_due_age_seconds 90\.5$/m);
  app.close();
});

Deno.test("[metrics] dispatch latency histogram: cumulative buckets, sum and count", async () => {
  const app = await startTestApp();
  for (const ms of [40, 90, 300, 1200, 1200, 45_000]) await observeDispatchLatency(app.kv, ms);
  const m = parseExposition(await renderMetrics(app.kv));
  const bucket = (le: string) =>
    m.get(`calcom_webhook_dispatch_duration_seconds_bucket{le="${le}"}`);
  assert.equal(bucket("0.1"), 2);
  assert.equal(bucket("0.5"), 3);
  assert.equal(bucket("1"), 3);
  assert.equal(bucket("2.5"), 5);
  assert.equal(bucket("30"), 5);
  assert.equal(bucket("+Inf"), 6);
  assert.equal(m.get("calcom_webhook_dispatch_duration_seconds_count"), 6);
  assert.equal(m.get("calcom_webhook_dispatch_duration_seconds_sum"), 47.83);
  app.close();
});

Deno.test("[metrics] open alerts and label values are escaped", async () => {
  const app = await startTestApp();
  await noteDeadDelivery(app.kv, "D1", alertSettings(app.services.config));
  const weird = 'X"Y\\Z\nW';
  await app.request(await signedWebhookRequest(JSON.stringify({ triggerEvent: weird })));
  const text = await renderMetrics(app.kv);
  const m = parseExposition(text);
  assert.equal(m.get('calcom_webhook_alert_open{alert="email_dead"}'), 1);
  assert.ok(text.includes('trigger="X\\"Y\\\\Z\\nW"'));
  app.close();
});
