/**
 * The fault soak, scaled down for `deno task test`: 300 unique signed events at 16 concurrent
 * senders into the real app process, one SIGKILL and restart mid-run, the fake SendGrid failing
 * about 30 % of requests. Waits out the two-minute delivery lease when the kill interrupted a
 * send, so this test takes a few minutes of mostly idle time. `deno task soak` is the full run.
 */
import assert from "node:assert/strict";
import { runSoak } from "./soak/soak.ts";

Deno.test("[soak] 300 events, one SIGKILL, failing SendGrid: nothing lost, nothing sent twice unexplained", async () => {
  const result = await runSoak({
    events: 300,
    concurrency: 16,
    kills: 1,
    failureRate: 0.3,
    maxFailuresPerEmail: 2,
    settleTimeoutMs: 5 * 60_000,
    log: () => {},
  });
  console.log(result.verdict);
  assert.deepEqual(result.refused, []);
  assert.deepEqual(result.problems, []);
  assert.equal(result.lost, 0);
  assert.deepEqual(result.unexplained, []);
  assert.equal(result.counts.stuck, 0);
  assert.equal(result.counts.pending, 0);
  assert.ok(result.ok, result.verdict);
});
