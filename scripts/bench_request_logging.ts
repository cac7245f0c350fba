/**
 * What request ids and request logging cost on ingest: signed webhooks sent in-process through
 * the real handler in three set-ups, interleaved over several rounds, medians compared.
 *   full      root middleware (request id + AsyncLocalStorage) and LOG_LEVEL=info
 *   quiet     root middleware, LOG_LEVEL=error (ids made, nothing written)
 *   bare      no root middleware at all (no request id, no request log line)
 * Usage: deno run -A scripts/bench_request_logging.ts [webhooks=2000] [rounds=3] > /dev/null
 * (log lines go to stdout; the report goes to stderr).
 */
import { createHandler } from "$fresh/server.ts";
import manifest from "../fresh.gen.ts";
import { initServices } from "../lib/app.ts";
import { signCalcomBody } from "../lib/calcom/signature.ts";
import { loadConfig } from "../lib/config.ts";
import { setLogLevel } from "../lib/log.ts";
import { prepareServices } from "../lib/startup.ts";

const WEBHOOKS = Number(Deno.args[0] ?? 2000);
const ROUNDS = Number(Deno.args[1] ?? 3);
const SECRET = "bench-secret";
const FIXTURE = JSON.parse(
  await Deno.readTextFile(
    new URL("../tests/fixtures/calcom/BOOKING_CREATED.json", import.meta.url),
  ),
);
const CLIENT: Deno.ServeHandlerInfo = {
  remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 },
  completed: Promise.resolve(),
};

type Variant = "full" | "quiet" | "bare";

async function handlerFor(variant: Variant) {
  const config = loadConfig({
    KV_PATH: ":memory:",
    CALCOM_WEBHOOK_SECRET: SECRET,
    QUEUE_MODE: "cron",
  });
  if (!config.ok) throw new Error(config.problems.join("\n"));
  const kv = await Deno.openKv(":memory:");
  initServices((await prepareServices(config.config, kv)).services);
  const routes = { ...manifest.routes } as Record<string, unknown>;
  if (variant === "bare") delete routes["./routes/_middleware.ts"];
  setLogLevel(variant === "full" ? "info" : "error");
  const handler = await createHandler({ ...manifest, routes } as typeof manifest);
  return { handler, kv };
}

async function signedRequests(n: number): Promise<Request[]> {
  const out: Request[] = [];
  for (let i = 0; i < n; i++) {
    const body = JSON.stringify({
      triggerEvent: "BOOKING_CREATED",
      createdAt: new Date().toISOString(),
      payload: { ...FIXTURE.payload, uid: crypto.randomUUID() },
    });
    out.push(
      new Request("http://localhost/api/calcom-webhook", {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "x-cal-signature-256": await signCalcomBody(body, SECRET),
        },
      }),
    );
  }
  return out;
}

async function run(variant: Variant): Promise<number> {
  const { handler, kv } = await handlerFor(variant);
  const requests = await signedRequests(WEBHOOKS);
  const started = performance.now();
  for (const req of requests) {
    const res = await handler(req, CLIENT);
    if (res.status !== 200) throw new Error(`${variant}: status ${res.status}`);
    await res.body?.cancel();
  }
  const ms = performance.now() - started;
  kv.close();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times: Record<Variant, number[]> = { full: [], quiet: [], bare: [] };
await run("full"); // warm-up: JIT, module graph, KV
for (let r = 0; r < ROUNDS; r++) {
  for (const v of ["full", "quiet", "bare"] as Variant[]) times[v].push(await run(v));
}
const m = { full: median(times.full), quiet: median(times.quiet), bare: median(times.bare) };
const perHook = (ms: number) => (ms / WEBHOOKS).toFixed(3);
console.error(`${WEBHOOKS} signed webhooks × ${ROUNDS} rounds, median ms (per webhook):`);
for (const v of ["full", "quiet", "bare"] as Variant[]) {
  console.error(`  ${v.padEnd(5)} ${m[v].toFixed(0)} ms (${perHook(m[v])} ms)`);
}
console.error(`  full / quiet (logging)            ${(m.full / m.quiet).toFixed(3)}`);
console.error(`  full / bare  (request ids + logs) ${(m.full / m.bare).toFixed(3)}`);
