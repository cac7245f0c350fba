/**
 * The KV queue path (QUEUE_MODE=kv): the ingest commit enqueues `{deliveryId}` and the webhook
 * route hands the same id to this process's dispatcher right after answering, because the local
 * queue delivers only after a poll of ~50 ms. Whichever comes first claims the delivery; the
 * other finds it claimed and skips. Messages are only hints: the record decides, so a
 * redelivered or early message is harmless, and a lost one is found by the sweep.
 * @module
 */
import type { DeliveryMessage } from "../store/deliveries.ts";
import { log } from "../log.ts";
import { captureError } from "../observability/sentry.ts";
import { dispatchDelivery, type Dispatcher } from "./dispatcher.ts";

function isDeliveryMessage(value: unknown): value is DeliveryMessage {
  return typeof value === "object" && value !== null &&
    typeof (value as DeliveryMessage).deliveryId === "string";
}

/** Registers the listener; resolves when the KV closes. Call once per process. */
export function listenForDeliveries(d: Dispatcher): Promise<void> {
  return d.kv.listenQueue(async (message: unknown) => {
    if (isDeliveryMessage(message)) await dispatchReported(d, message.deliveryId);
  });
}

/**
 * At most this many immediate sends run at once; beyond that, in a burst of webhooks, the queue
 * takes over, so that answering Cal.com keeps the KV writer before sending emails does.
 */
const MAX_IMMEDIATE_SENDS = 4;
let immediateSends = 0;

/** Sends deliveries just committed by this process, after the current response is written. */
export function dispatchCommitted(d: Dispatcher, ids: readonly string[]): void {
  for (const id of ids) {
    if (immediateSends >= MAX_IMMEDIATE_SENDS) return;
    immediateSends++;
    setTimeout(() => dispatchReported(d, id).finally(() => immediateSends--), 0);
  }
}

async function dispatchReported(d: Dispatcher, deliveryId: string): Promise<void> {
  try {
    await dispatchDelivery(d, deliveryId);
  } catch (err) {
    // The record stays queued or leased; the queue or the sweep retries it.
    log.error("queued delivery failed", { deliveryId, error: (err as Error).name });
    captureError(err, { area: "dispatch", delivery_id: deliveryId });
  }
}
