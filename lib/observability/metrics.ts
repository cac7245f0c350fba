/**
 * Metrics in Prometheus text format (version 0.0.4), read from KV counters and a few single
 * keys — never by scanning records. Owns the dispatch latency histogram, kept as `sum` counters
 * at `["metric", "dispatch_seconds", …]`: one bucket per observation (cumulated when rendered),
 * a count and a sum in milliseconds.
 * @module
 */
import { activeAlerts } from "../alerts/mod.ts";
import { ALERT_KINDS } from "../alerts/kinds.ts";
import { listCounters, readCounters } from "../store/counters.ts";
import { DELIVERY_STATUSES } from "../store/deliveries.ts";
import { LAST_EVENT_KEY } from "../store/ingest.ts";

/** Upper bounds of the dispatch latency buckets, in seconds. */
export const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;
const latencyKey = (part: string | number) => ["metric", "dispatch_seconds", part] as const;

/**
 * Adds one dispatch attempt's duration (claim to recorded result) to an atomic operation: the
 * dispatcher passes this to the commit that records the attempt, so the histogram costs no
 * commit of its own.
 *
 * @example
 * await finishAttempt(kv, claimed, attempt, outcome, { now, also: (op) => addDispatchLatency(op, ms) });
 */
export function addDispatchLatency(op: Deno.AtomicOperation, durationMs: number): void {
  const ms = Math.max(0, Math.round(durationMs));
  const bucket = LATENCY_BUCKETS.find((le) => ms <= le * 1000) ?? "+Inf";
  op.sum(latencyKey(String(bucket)), 1n)
    .sum(latencyKey("count"), 1n)
    .sum(latencyKey("sum_ms"), BigInt(ms));
}

/**
 * Records one dispatch attempt's duration in a commit of its own (when the attempt's result
 * could not be recorded, e.g. its lease was lost).
 *
 * @example
 * await observeDispatchLatency(kv, performance.now() - started);
 */
export async function observeDispatchLatency(kv: Deno.Kv, durationMs: number): Promise<void> {
  const op = kv.atomic();
  addDispatchLatency(op, durationMs);
  await op.commit();
}

type Labels = Record<string, string>;
type Sample = [Labels, number];

const escapeLabel = (v: string) =>
  v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};

function family(name: string, type: string, help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) lines.push(`${name}${labelText(labels)} ${value}`);
  return lines.join("\n");
}

async function latencyHistogram(kv: Deno.Kv): Promise<string> {
  const parts = [...LATENCY_BUCKETS.map(String), "+Inf", "count", "sum_ms"];
  const n: number[] = [];
  for (let i = 0; i < parts.length; i += 10) { // getMany reads at most 10 keys
    const batch = await kv.getMany<Deno.KvU64[]>(parts.slice(i, i + 10).map(latencyKey));
    n.push(...batch.map((e) => (e.value ? Number(e.value.value) : 0)));
  }
  const name = "calcom_webhook_dispatch_duration_seconds";
  const lines = [
    `# HELP ${name} Time of one email dispatch attempt, claim to recorded result.`,
    `# TYPE ${name} histogram`,
  ];
  let cumulative = 0;
  parts.slice(0, LATENCY_BUCKETS.length + 1).forEach((le, i) => {
    cumulative += n[i];
    lines.push(`${name}_bucket{le="${le}"} ${cumulative}`);
  });
  lines.push(`${name}_sum ${n[parts.length - 1] / 1000}`, `${name}_count ${n[parts.length - 2]}`);
  return lines.join("\n");
}

async function oldestDueAgeSeconds(kv: Deno.Kv, now: number): Promise<number> {
  for await (const e of kv.list({ prefix: ["delivery_due"] }, { limit: 1 })) {
    return Math.max(0, (now - Number(e.key[1])) / 1000);
  }
  return 0;
}

/** The whole exposition, as `GET /api/metrics` serves it. */
export async function renderMetrics(kv: Deno.Kv, now = Date.now()): Promise<string> {
  const [all, unrecognised, duplicate, sigFailures, ...deliveries] = await readCounters(kv, [
    ["counter", "events", "all"],
    ["counter", "events", "unrecognised"],
    ["counter", "events", "duplicate"],
    ["counter", "signature_failures", "all"],
    ...DELIVERY_STATUSES.map((s) => ["counter", "deliveries", s] as const),
  ]);
  const byTrigger = await listCounters(kv, ["counter", "events", "trigger"]);
  const bookings = await listCounters(kv, ["counter", "bookings"]);
  const alerts = new Set((await activeAlerts(kv)).map((a) => a.kind));
  const last = await kv.get<{ at: string }>(LAST_EVENT_KEY);
  const status = (s: string) => deliveries[DELIVERY_STATUSES.indexOf(s as never)];
  return [
    family("calcom_webhook_events_total", "counter", "Webhook events stored, by trigger.", [
      ...byTrigger.map(({ key, value }): Sample => [{ trigger: String(key[3]) }, value]),
    ]),
    family(
      "calcom_webhook_event_outcomes_total",
      "counter",
      "Webhook requests by outcome (recognised, unrecognised, duplicate, bad_signature).",
      [
        [{ outcome: "recognised" }, all - unrecognised],
        [{ outcome: "unrecognised" }, unrecognised],
        [{ outcome: "duplicate" }, duplicate],
        [{ outcome: "bad_signature" }, sigFailures],
      ],
    ),
    family("calcom_webhook_signature_failures_total", "counter", "Rejected signatures.", [
      [{}, sigFailures],
    ]),
    family(
      "calcom_webhook_deliveries",
      "gauge",
      "Staff emails by current status.",
      DELIVERY_STATUSES.map((s, i): Sample => [{ status: s }, deliveries[i]]),
    ),
    family("calcom_webhook_outbox_depth", "gauge", "Emails waiting or being sent.", [
      [{}, status("queued") + status("sending")],
    ]),
    family(
      "calcom_webhook_outbox_oldest_due_age_seconds",
      "gauge",
      "How long the earliest-due pending email has been due (0 when none is overdue).",
      [[{}, await oldestDueAgeSeconds(kv, now)]],
    ),
    family("calcom_webhook_bookings", "gauge", "Bookings by status.", [
      ...bookings.filter(({ key }) => key[2] !== "total")
        .map(({ key, value }): Sample => [{ status: String(key[2]) }, value]),
    ]),
    family(
      "calcom_webhook_last_event_age_seconds",
      "gauge",
      "Seconds since the last accepted webhook (-1 when none yet).",
      [[{}, last.value ? Math.max(0, (now - Date.parse(last.value.at)) / 1000) : -1]],
    ),
    family(
      "calcom_webhook_alert_open",
      "gauge",
      "1 while an alert incident is open.",
      ALERT_KINDS.map((kind): Sample => [{ alert: kind }, alerts.has(kind) ? 1 : 0]),
    ),
    await latencyHistogram(kv),
  ].join("\n\n") + "\n";
}
