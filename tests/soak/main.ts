/**
 * `deno task soak`: 20,000 unique signed events at 64 concurrent senders, the fake SendGrid
 * failing ~30 % of requests, the app SIGKILLed and restarted 3 times mid-run. Prints one
 * verdict line and exits non-zero on FAIL.
 *   deno task soak [--events 20000] [--concurrency 64] [--kills 3]
 */
import { runSoak } from "./soak.ts";

const arg = (name: string, fallback: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
};

const started = performance.now();
const result = await runSoak({
  events: arg("events", 20_000),
  concurrency: arg("concurrency", 64),
  kills: arg("kills", 3),
  failureRate: 0.3,
  maxFailuresPerEmail: 2,
  settleTimeoutMs: 6 * 60_000,
  log: (line) => console.log(line),
});
if (result.refused.length) {
  console.log(`refused answers: ${result.refused.slice(0, 10).join(", ")}`);
}
if (result.problems.length) {
  console.log(`KV problems:\n  ${result.problems.slice(0, 20).join("\n  ")}`);
}
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s) ${result.verdict}`);
Deno.exit(result.ok ? 0 : 1);
