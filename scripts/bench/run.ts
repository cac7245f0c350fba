/**
 * `deno task bench [--quick]`: every figure against a baseline measured in the same run, so the
 * ratios hold on a noisy machine; absolute numbers printed too. Results go to stdout (a
 * Markdown table for BENCHMARKS.md) and to .data/bench/results-<time>.json.
 *   --quick  about a minute: shorter load runs, fewer samples, admin at 1k and 10k only
 *   --only=ingest,cold,notify,backlog,admin,batching   run some sections
 */
import { setLogLevel } from "../../lib/log.ts";
import { adminRender } from "./admin.ts";
import { batchingProbe } from "./batching.ts";
import { coldStart } from "./cold_start.ts";
import { CONCURRENCY, ingestBenchmark, SECRET } from "./ingest.ts";
import { hasWrk, writeSignedBodies } from "./load.ts";
import { backlogDrain, notificationLatency } from "./notify.ts";
import { markdownReport, type Results } from "./report.ts";

setLogLevel("warn");
const quick = Deno.args.includes("--quick");
const only = Deno.args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const wants = (section: string) => !only || only.includes(section);
const plan = quick
  ? {
    seconds: 3,
    bodies: 15_000,
    cold: 3,
    samples: 30,
    backlog: 1000,
    sizes: [1000, 10_000],
    runs: 9,
  }
  : {
    seconds: 10,
    bodies: 60_000,
    cold: 7,
    samples: 150,
    backlog: 1000,
    sizes: [1000, 10_000, 100_000],
    runs: 60,
  };

const log = (line: string) => console.log(line);
const dir = await Deno.makeTempDir({ prefix: "calcom-bench-" });
const tool = (await hasWrk()) ? "wrk" : "autocannon";
const results: Results = {
  quick,
  tool,
  cpus: navigator.hardwareConcurrency,
  at: new Date().toISOString(),
};
log(
  `calcom-webhook benchmarks (${quick ? "quick" : "full"}), load by ${tool}, ${results.cpus} CPUs`,
);

try {
  if (wants("ingest")) {
    log(`ingest: ${plan.seconds} s per run at ${CONCURRENCY.join(", ")} connections`);
    await writeSignedBodies(`${dir}/bodies.txt`, plan.bodies, SECRET);
    results.ingest = await ingestBenchmark(dir, `${dir}/bodies.txt`, plan.seconds, tool, log);
    await Deno.remove(`${dir}/bodies.txt`);
  }
  if (wants("cold")) {
    results.cold = {
      aMs: await coldStart(dir, "a", plan.cold),
      appMs: await coldStart(dir, "app", plan.cold),
    };
    log(
      `cold start: baseline a ${results.cold.aMs.toFixed(0)} ms, app ${
        results.cold.appMs.toFixed(0)
      } ms`,
    );
  }
  if (wants("notify")) {
    results.notify = await notificationLatency(dir, plan.samples);
    log(
      `notification latency: p50 ${results.notify.p50Ms.toFixed(1)} ms, p95 ${
        results.notify.p95Ms.toFixed(1)
      } ms`,
    );
  }
  if (wants("backlog")) {
    results.backlog = await backlogDrain(dir, plan.backlog);
    log(`backlog: ${results.backlog.emails} emails in ${results.backlog.seconds.toFixed(1)} s`);
  }
  if (wants("batching")) {
    results.batching = await batchingProbe(dir, quick ? 480 : 1920);
    log(
      `group commit: ${
        results.batching.map((b) => `${b.mode} ${b.eventsPerSecond.toFixed(0)} ev/s`).join(", ")
      }`,
    );
  }
  if (wants("admin")) {
    log(`admin render: ${plan.sizes.join(", ")} bookings`);
    results.admin = await adminRender(plan.sizes, plan.runs, log);
  }
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

const out = new URL(
  `../../.data/bench/results-${results.at.replace(/[:.]/g, "-")}.json`,
  import.meta.url,
);
await Deno.mkdir(new URL(".", out), { recursive: true });
await Deno.writeTextFile(out, JSON.stringify(results, null, 2));
log("");
log(markdownReport(results));
log(`\nraw results: ${out.pathname}`);
