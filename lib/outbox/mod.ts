/**
 * The outbox: dispatching staff emails from the KV delivery records.
 * @module
 */
export {
  createDispatcher,
  dispatchDelivery,
  type Dispatcher,
  type DispatcherOptions,
  type DispatchResult,
  LEASE_MS,
} from "./dispatcher.ts";
export { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from "./schedule.ts";
export { sweepDueDeliveries, type SweepReport } from "./sweep.ts";
export { listenForDeliveries } from "./queue.ts";
export {
  currentDispatcher,
  dispatchAfterIngest,
  runDeliveriesSweep,
  startDispatch,
  warmUpDispatch,
} from "./runtime.ts";
