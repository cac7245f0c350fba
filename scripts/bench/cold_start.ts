/**
 * Cold start: from spawning the process to its first accepted webhook (a 2xx to a signed
 * BOOKING_CREATED), on a fresh KV file each time, app vs baseline (a). Median of `runs`.
 * @module
 */
import { startAppProcess } from "../../tests/helpers/app_process.ts";
import { freePort } from "../../tests/helpers/app_process.ts";
import { signCalcomBody } from "../../lib/calcom/signature.ts";
import { bookingEvent } from "../../tests/helpers/calcom.ts";
import { SECRET } from "./ingest.ts";

const ENTRY = { a: "scripts/bench/baselines/a_bare.ts", app: "main.ts" } as const;

async function firstAccepted(url: string, deadline: number): Promise<number> {
  const body = bookingEvent("BOOKING_CREATED");
  const headers = { "x-cal-signature-256": await signCalcomBody(body, SECRET) };
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`${url}/api/calcom-webhook`, { method: "POST", body, headers });
      await res.body?.cancel();
      if (res.ok) return performance.now();
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error("no accepted webhook within the deadline");
}

export async function coldStart(dir: string, which: keyof typeof ENTRY, runs: number) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const kvDir = `${dir}/cold-${which}-${i}`;
    await Deno.mkdir(kvDir, { recursive: true });
    const port = freePort();
    const started = performance.now();
    const app = startAppProcess({
      entry: ENTRY[which],
      port,
      keepLogs: false,
      env: { KV_PATH: `${kvDir}/kv.sqlite3`, CALCOM_WEBHOOK_SECRET: SECRET, QUEUE_MODE: "kv" },
    });
    const accepted = await firstAccepted(`http://127.0.0.1:${port}`, started + 30_000);
    times.push(accepted - started);
    await (await app).stop("SIGTERM");
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}
