/**
 * The sweep: every due `queued` delivery and every `sending` one whose lease ran out, found
 * through the `["delivery_due", dueAt, id]` index (never a scan), sent with bounded
 * concurrency and a time budget that ends well inside the cron minute.
 * @module
 */
import { captureError } from "../observability/sentry.ts";
import { listDueDeliveryIds } from "../store/deliveries.ts";
import { dispatchDelivery, type Dispatcher, type DispatchResult } from "./dispatcher.ts";

export interface SweepOptions {
  /** Parallel sends. */
  concurrency?: number;
  /** Stop starting new sends after this much real time (ms). */
  budgetMs?: number;
  /** Due entries read per round. */
  batch?: number;
}

export interface SweepReport {
  examined: number;
  results: Partial<Record<DispatchResult, number>>;
}

/**
 * @example
 * Deno.cron("deliveries-sweep", "* * * * *", () => sweepDueDeliveries(dispatcher));
 */
export async function sweepDueDeliveries(
  d: Dispatcher,
  options: SweepOptions = {},
): Promise<SweepReport> {
  const concurrency = options.concurrency ?? 8;
  const deadline = performance.now() + (options.budgetMs ?? 45_000);
  const report: SweepReport = { examined: 0, results: {} };
  const tried = new Set<string>();
  while (performance.now() < deadline) {
    const ids = (await listDueDeliveryIds(d.kv, d.clock(), options.batch ?? 200))
      .filter((id) => !tried.has(id));
    if (ids.length === 0) break;
    let next = 0;
    const worker = async () => {
      while (next < ids.length && performance.now() < deadline) {
        const id = ids[next++];
        tried.add(id);
        report.examined++;
        const result = await dispatchDelivery(d, id).catch((error) => {
          captureError(error, { area: "dispatch", delivery_id: id });
          return "skipped" as const;
        });
        report.results[result] = (report.results[result] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  return report;
}
