/**
 * Is group commit worth it? The real `recordWebhook` on a KV file (no HTTP, no dispatcher), new
 * BOOKING_CREATED events: one in flight (each commit alone), then 32 in flight with each event
 * in its own commit (the commits still overlap on KV's writer), then 32 in flight sharing
 * commits (group_commit.ts, what the app does). Reports events/s for each, plus the commits
 * the grouped run needed.
 * @module
 */
import { parseCalcomDelivery } from "../../lib/calcom/event.ts";
import { recordWebhook } from "../../lib/store/ingest.ts";
import { bookingEvent } from "../../tests/helpers/calcom.ts";

export interface BatchingFigure {
  mode: "one in flight" | "32 in flight, own commits" | "32 in flight, grouped";
  eventsPerSecond: number;
  commits: number;
}

const options = { notifyEvents: ["BOOKING_CREATED"], enqueue: true };
const encoder = new TextEncoder();

/**
 * A view of `kv` that counts real commits. Each view gets its own group committer (they are
 * kept per handle), so one view per event means one commit per event.
 */
function view(kv: Deno.Kv, counter: { commits: number }): Deno.Kv {
  return new Proxy(kv, {
    get(target, name) {
      if (name === "atomic") {
        return () => {
          counter.commits++;
          return target.atomic();
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function run(
  kv: Deno.Kv,
  bodies: Uint8Array<ArrayBuffer>[],
  inFlight: number,
  shared: boolean,
): Promise<{ eventsPerSecond: number; commits: number }> {
  const counter = { commits: 0 };
  const sharedView = view(kv, counter);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const handle = shared ? sharedView : view(kv, counter);
      await recordWebhook(handle, { body, parsed: parseCalcomDelivery(body) }, options);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { eventsPerSecond: bodies.length / ((performance.now() - started) / 1000), ...counter };
}

export async function batchingProbe(dir: string, events: number): Promise<BatchingFigure[]> {
  const plans = [
    { mode: "one in flight", inFlight: 1, shared: true },
    { mode: "32 in flight, own commits", inFlight: 32, shared: false },
    { mode: "32 in flight, grouped", inFlight: 32, shared: true },
  ] as const;
  const out: BatchingFigure[] = [];
  for (const [n, plan] of plans.entries()) {
    const kv = await Deno.openKv(`${dir}/batching-${n}.sqlite3`);
    const bodies = Array.from(
      { length: events },
      () => encoder.encode(bookingEvent("BOOKING_CREATED")),
    );
    out.push({ mode: plan.mode, ...(await run(kv, bodies, plan.inFlight, plan.shared)) });
    kv.close();
  }
  return out;
}
