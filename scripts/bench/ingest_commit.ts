/**
 * The ingest commit on its own, one event at a time on a fresh KV file (no HTTP, no
 * dispatcher): median ms of `recordWebhook` for new BOOKING_CREATED events against baseline
 * (c)'s one set + enqueue in the same run, and the keys each booking leaves in KV, by prefix.
 *
 *   deno run -A scripts/bench/ingest_commit.ts [--events 400]
 * @module
 */
import { parseCalcomDelivery } from "../../lib/calcom/event.ts";
import { recordWebhook } from "../../lib/store/ingest.ts";
import { bookingEvent } from "../../tests/helpers/calcom.ts";

const at = Deno.args.indexOf("--events");
const EVENTS = at === -1 ? 400 : Number(Deno.args[at + 1]);
const encoder = new TextEncoder();
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeEach(run: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const started = performance.now();
    await run(i);
    times.push(performance.now() - started);
  }
  return median(times);
}

const dir = await Deno.makeTempDir({ prefix: "ingest-commit-" });
try {
  const bodies = Array.from(
    { length: EVENTS },
    () => encoder.encode(bookingEvent("BOOKING_CREATED")),
  );
  const baseline = await Deno.openKv(`${dir}/c.sqlite3`);
  const cMs = await timeEach((i) =>
    baseline.atomic().set(["event", crypto.randomUUID()], bodies[i]).enqueue({ i }).commit()
  );
  baseline.close();

  const kv = await Deno.openKv(`${dir}/app.sqlite3`);
  const options = { notifyEvents: ["BOOKING_CREATED"], enqueue: true };
  const appMs = await timeEach((i) =>
    recordWebhook(kv, { body: bodies[i], parsed: parseCalcomDelivery(bodies[i]) }, options)
  );
  const byPrefix = new Map<string, number>();
  for await (const e of kv.list({ prefix: [] })) {
    const name = String(e.key[0]);
    byPrefix.set(name, (byPrefix.get(name) ?? 0) + 1);
  }
  kv.close();
  const total = [...byPrefix.values()].reduce((a, b) => a + b, 0);
  console.log(`events: ${EVENTS}, one at a time`);
  console.log(`baseline (c) commit: ${cMs.toFixed(3)} ms median`);
  console.log(
    `recordWebhook:       ${appMs.toFixed(3)} ms median (${(appMs / cMs).toFixed(1)} × c)`,
  );
  console.log(`keys per event: ${(total / EVENTS).toFixed(1)}`);
  for (const [name, n] of [...byPrefix].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${name.padEnd(22)} ${(n / EVENTS).toFixed(2)}`);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
