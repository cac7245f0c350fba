/**
 * Ingest benchmark: the app (main.ts, kv mode, on a KV file) against baselines (a), (b), (c) at
 * 1, 32 and 128 concurrent connections, load from wrk (or autocannon) in another process.
 * Every request is a new signed event. Also the app's peak resident memory during the run.
 * @module
 */
import { type AppProcess, startAppProcess } from "../../tests/helpers/app_process.ts";
import { type LoadResult, runLoad } from "./load.ts";

export const SECRET = "bench-secret-for-calcom";
export type ServerName = "a" | "b" | "c" | "app";
export const CONCURRENCY = [1, 32, 128] as const;

export interface IngestFigures {
  results: Record<ServerName, LoadResult[]>;
  appPeakRssMiB: number;
}

const ENTRIES: Record<ServerName, string> = {
  a: "scripts/bench/baselines/a_bare.ts",
  b: "scripts/bench/baselines/b_verify.ts",
  c: "scripts/bench/baselines/c_durable.ts",
  app: "main.ts",
};

/** Starts one server on a fresh KV file; the app in its deployed local shape (kv mode). */
export async function startServer(
  name: ServerName,
  dir: string,
  extra: { denoFlags?: string[]; env?: Record<string, string> } = {},
): Promise<AppProcess> {
  await Deno.remove(`${dir}/${name}`, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${dir}/${name}`, { recursive: true });
  return await startAppProcess({
    entry: ENTRIES[name],
    keepLogs: false,
    denoFlags: extra.denoFlags,
    env: {
      KV_PATH: `${dir}/${name}/kv.sqlite3`,
      SECRET,
      CALCOM_WEBHOOK_SECRET: SECRET,
      QUEUE_MODE: "kv",
      ...extra.env,
    },
  });
}

export async function ingestBenchmark(
  dir: string,
  bodies: string,
  seconds: number,
  tool: "wrk" | "autocannon",
  log: (line: string) => void,
): Promise<IngestFigures> {
  const results = {} as Record<ServerName, LoadResult[]>;
  let appPeakRssMiB = 0;
  for (const name of ["a", "b", "c", "app"] as ServerName[]) {
    const server = await startServer(name, dir);
    // Warm-up (JIT, KV pages), then each run starts where the last one stopped in the file.
    let sent = (await runLoad(server.url, bodies, 32, 1, tool)).requests;
    results[name] = [];
    for (const connections of CONCURRENCY) {
      const r = await runLoad(server.url, bodies, connections, seconds, tool, sent);
      sent += r.requests;
      results[name].push(r);
      log(
        `  ${name.padEnd(3)} c=${String(connections).padEnd(3)} ${
          r.requestsPerSecond.toFixed(0)
        } req/s ` +
          `p50 ${r.p50Ms.toFixed(2)} ms p99 ${
            r.p99Ms.toFixed(2)
          } ms errors ${r.errors} wraps ${r.wraps}`,
      );
    }
    if (name === "app") appPeakRssMiB = server.memory().peakKiB / 1024;
    await server.stop("SIGTERM");
  }
  return { results, appPeakRssMiB };
}
