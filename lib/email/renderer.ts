/**
 * The email renderer (compose.ts: content, Preact HTML, text and the ical-generator `.ics`),
 * loaded on first use instead of with the process: a webhook never needs it, and start-up
 * warms it in the background once the server listens (`preloadEmailRenderer`).
 * @module
 */
import type { ComposeResult } from "./compose.ts";
import type { Config } from "../config.ts";
import type { DeliveryRecord } from "../store/deliveries.ts";

export type { ComposeResult };

let loading: Promise<typeof import("./compose.ts")> | undefined;

function renderer() {
  // A failed load is not cached: the next email tries again.
  loading ??= import("./compose.ts").catch((error) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Starts loading the renderer; resolves when it is ready. */
export async function preloadEmailRenderer(): Promise<void> {
  await renderer();
}

/** `composeDeliveryEmail` of compose.ts, once the renderer is loaded. */
export async function composeDeliveryEmail(
  kv: Deno.Kv,
  config: Config,
  delivery: DeliveryRecord,
  now: Date,
): Promise<ComposeResult> {
  return await (await renderer()).composeDeliveryEmail(kv, config, delivery, now);
}
