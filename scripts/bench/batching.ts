/**
 * Would batching several events into one commit beat one commit per event? Commits the ingest
 * commit's shape (one ~2.6 KB body, the indexes, counters, checks and one enqueue: about 80
 * mutations) 1, 4 and 12 events at a time (12 × 80 stays under KV's 1,000 mutations) on a KV
 * file, one commit in flight, and reports events/s for each batch size.
 * @module
 */
import { bookingEvent } from "../../tests/helpers/calcom.ts";

function addEventShape(op: Deno.AtomicOperation, n: number, body: Uint8Array) {
  const id = `${n}-${crypto.randomUUID()}`;
  op.check({ key: ["digest", id], versionstamp: null }).set(["event", id], body).set(
    ["digest", id],
    id,
  );
  op.check({ key: ["booking", id], versionstamp: null }).set(["booking", id], { uid: id, n });
  op.check({ key: ["delivery_for", id], versionstamp: null }).set(["delivery", id], { id, n });
  for (let k = 0; k < 63; k++) op.set(["index", k % 8, `w${k}`, id], null);
  for (let k = 0; k < 7; k++) op.sum(["counter", k], 1n);
  op.enqueue({ deliveryId: id });
}

export async function batchingProbe(dir: string, events: number) {
  const kv = await Deno.openKv(`${dir}/batching.sqlite3`);
  const body = new TextEncoder().encode(bookingEvent("BOOKING_CREATED"));
  const out: { batch: number; eventsPerSecond: number }[] = [];
  for (const batch of [1, 4, 12]) {
    const started = performance.now();
    for (let n = 0; n < events; n += batch) {
      const op = kv.atomic();
      for (let i = 0; i < batch; i++) addEventShape(op, n + i, body);
      if (!(await op.commit()).ok) throw new Error("batch commit failed");
    }
    out.push({ batch, eventsPerSecond: events / ((performance.now() - started) / 1000) });
  }
  kv.close();
  return out;
}
