/**
 * What the admin dashboard calls for emails: resend one, retry every dead one, and preview an
 * email exactly as it was (or will be) sent. The lists come straight from store/deliveries.ts.
 * @module
 */
import type { Config } from "../config.ts";
import { composeDeliveryEmail } from "../email/renderer.ts";
import type { OutgoingEmail } from "../email/types.ts";
import { readDeliveryEmail } from "../store/delivery_emails.ts";
import { requeueDelivery } from "../store/delivery_transitions.ts";
import { getDelivery, listDeliveriesByStatus } from "../store/deliveries.ts";
import { currentDispatcher, dispatchDelivery } from "./mod.ts";

export interface ResendOptions {
  now?: number;
  /** Put a message on the KV queue (default: when the process runs in kv mode). */
  enqueue?: boolean;
}

/**
 * Queues a new attempt on the same record, whatever its status (also accepted or delivered,
 * on purpose); refused while an attempt is in flight. In cron mode the attempt starts at once
 * in the background when this process has a dispatcher; the sweep is the safety net.
 *
 * @example
 * const result = await resendDelivery(kv, id);
 * if (!result.ok) console.log(result.reason); // "not_found" | "in_flight"
 */
export async function resendDelivery(kv: Deno.Kv, id: string, options: ResendOptions = {}) {
  const dispatcher = currentDispatcher();
  const enqueue = options.enqueue ?? dispatcher?.queueMode === "kv";
  const result = await requeueDelivery(kv, id, { now: options.now ?? Date.now(), enqueue });
  if (result.ok && !enqueue && dispatcher && dispatcher.kv === kv) {
    dispatchDelivery(dispatcher, id).catch(() => {});
  }
  return result;
}

/**
 * Resends up to `limit` dead deliveries (newest first); call again while `remaining` is true.
 *
 * @example
 * let r; do { r = await retryAllDead(kv); } while (r.remaining);
 */
export async function retryAllDead(
  kv: Deno.Kv,
  options: ResendOptions & { limit?: number } = {},
): Promise<{ resent: number; remaining: boolean }> {
  const page = await listDeliveriesByStatus(kv, "dead", { limit: options.limit ?? 100 });
  let resent = 0;
  for (const delivery of page.deliveries) {
    if ((await resendDelivery(kv, delivery.id, options)).ok) resent++;
  }
  return { resent, remaining: page.cursor !== undefined };
}

/**
 * The email of a delivery as sent (stored at its first attempt) or, before that, as it would
 * be rendered now. `sent` says which.
 */
export async function previewDeliveryEmail(
  kv: Deno.Kv,
  config: Config,
  id: string,
): Promise<{ email: OutgoingEmail; sent: boolean } | { error: string } | null> {
  const delivery = await getDelivery(kv, id);
  if (!delivery) return null;
  const stored = await readDeliveryEmail<OutgoingEmail>(kv, id);
  if (stored) return { email: stored, sent: true };
  const composed = await composeDeliveryEmail(kv, config, delivery, new Date());
  return composed.ok ? { email: composed.email, sent: false } : { error: composed.error };
}
