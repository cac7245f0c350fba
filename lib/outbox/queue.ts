/**
 * The KV queue path (QUEUE_MODE=kv): the ingest commit enqueues `{deliveryId}`, this listener
 * sends it within milliseconds. Messages are only hints; the record decides, so a redelivered
 * or early message is harmless, and a lost one is found by the sweep.
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
    if (!isDeliveryMessage(message)) return;
    try {
      await dispatchDelivery(d, message.deliveryId);
    } catch (err) {
      // The record stays queued or leased; the sweep retries it.
      log.error("queued delivery failed", {
        deliveryId: message.deliveryId,
        error: (err as Error).name,
      });
      captureError(err, { area: "dispatch", delivery_id: message.deliveryId });
    }
  });
}
