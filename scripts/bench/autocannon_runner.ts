/**
 * Fallback load generator where `wrk` is not installed: the pinned npm `autocannon` in its own
 * process, fed the same pre-signed bodies, printing the same WRK_RESULT line (its latency
 * histogram has 1 ms resolution, so p50 at low concurrency is coarse).
 *   deno run -A scripts/bench/autocannon_runner.ts <url> <bodies file> <connections> <seconds> [offset]
 */
import autocannon from "autocannon";

const [url, path, connections, seconds, offset] = Deno.args;
const lines = Deno.readTextFileSync(path).split("\n").filter(Boolean);
let next = Number(offset ?? 0) % lines.length;
let wraps = 0;
const result = await autocannon({
  url: `${url}/api/calcom-webhook`,
  connections: Number(connections),
  duration: Number(seconds),
  method: "POST",
  requests: [{
    setupRequest(req: Record<string, unknown>) {
      if (next === lines.length) [next, wraps] = [0, wraps + 1];
      const line = lines[next++];
      const space = line.indexOf(" ");
      req.body = line.slice(space + 1);
      req.headers = {
        "content-type": "application/json",
        "x-cal-signature-256": line.slice(0, space),
      };
      return req;
    },
  }],
});
const summary = {
  requests: result.requests.total,
  durationUs: result.duration * 1e6,
  p50Us: result.latency.p50 * 1000,
  p99Us: result.latency.p99 * 1000,
  meanUs: result.latency.average * 1000,
  wraps,
  errors: {
    connect: 0,
    read: result.errors,
    write: 0,
    status: result.non2xx,
    timeout: result.timeouts,
  },
};
console.log(`WRK_RESULT ${JSON.stringify(summary)}`);
