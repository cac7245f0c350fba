/**
 * `POST /api/sendgrid-events`: SendGrid's signed Event Webhook. Verifies the ECDSA signature
 * over the raw bytes, rejects stale timestamps, then moves each email's delivery forward by its
 * `delivery_id` custom arg (or its message id), once per `sg_event_id`. 404 when no
 * `SENDGRID_EVENT_PUBLIC_KEY` is configured.
 */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { BodyTooLargeError, readBodyCapped } from "@/lib/calcom/body.ts";
import {
  EVENT_STATUS,
  importEventWebhookKey,
  messageIdCandidates,
  parseSendgridEvents,
  type SendgridEvent,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyEventWebhook,
} from "@/lib/email/event_webhook.ts";
import { log } from "@/lib/log.ts";
import { findDeliveryByMessageId } from "@/lib/store/deliveries.ts";
import { applyProviderEvent } from "@/lib/store/delivery_transitions.ts";

/** SendGrid batches events; a batch stays far below this. */
const MAX_BODY = 5 * 1024 * 1024;
/**
 * SendGrid retries failed posts for up to 24 hours and may keep the first timestamp, so older
 * is stale. Every event id is remembered for longer than that, so a replay inside the window is
 * a no-op.
 */
const MAX_AGE_S = 24 * 60 * 60;
const MAX_FUTURE_S = 5 * 60;
const DEDUPE_MS = 3 * 24 * 60 * 60_000;

const keys = new Map<string, Promise<CryptoKey | null>>();
const json = (status: number, body: unknown) => Response.json(body, { status });

function isFresh(timestamp: string | null, now: number): boolean {
  const seconds = Number(timestamp);
  if (!timestamp || !Number.isInteger(seconds)) return false;
  const age = now / 1000 - seconds;
  return age <= MAX_AGE_S && age >= -MAX_FUTURE_S;
}

export const handler: Handlers = {
  async POST(req) {
    const { kv, config } = services();
    const publicKey = config.sendgridEventPublicKey;
    if (!publicKey) return json(404, { ok: false, error: "not found" });
    if (!keys.has(publicKey)) keys.set(publicKey, importEventWebhookKey(publicKey));
    const key = await keys.get(publicKey);
    if (!key) {
      log.error("SENDGRID_EVENT_PUBLIC_KEY is not a P-256 public key");
      return json(500, { ok: false, error: "verification key unusable" });
    }
    let body: Uint8Array;
    try {
      body = await readBodyCapped(req, MAX_BODY);
    } catch (err) {
      const tooLarge = err instanceof BodyTooLargeError;
      return json(tooLarge ? 413 : 400, { ok: false, error: "body not accepted" });
    }
    const timestamp = req.headers.get(TIMESTAMP_HEADER);
    const signature = req.headers.get(SIGNATURE_HEADER);
    const valid = await verifyEventWebhook(key, body, signature, timestamp);
    if (!valid || !isFresh(timestamp, Date.now())) {
      log.warn("sendgrid event webhook rejected", { reason: valid ? "stale" : "signature" });
      return json(401, { ok: false, error: "invalid signature" });
    }
    const events = parseSendgridEvents(body);
    if (!events) {
      // Signed by SendGrid, so a 4xx would only have the same body posted again for 24 hours.
      log.warn("sendgrid event webhook: signed body is not a JSON array; ignored");
      return json(200, { ok: true, received: 0, applied: 0 });
    }
    let applied = 0;
    for (const e of events) {
      const message = await matchMessage(kv, e);
      const id = e.deliveryId ?? message.deliveryId;
      if (!id) continue;
      const changed = await applyProviderEvent(kv, id, {
        event: e.event,
        sgEventId: e.sgEventId,
        at: new Date((e.timestamp ?? Date.now() / 1000) * 1000).toISOString(),
        reason: e.reason,
        status: EVENT_STATUS[e.event],
        messageId: message.messageId,
      }, { dedupeMs: DEDUPE_MS });
      if (changed) applied++;
    }
    log.info("sendgrid events", { received: events.length, applied });
    return json(200, { ok: true, received: events.length, applied });
  },
};

/**
 * The `X-Message-Id` an event's `sg_message_id` starts with, found in the message-id index (so
 * an id with dots matches too), and the delivery it belongs to; else the part before the first
 * dot, which is SendGrid's form.
 */
async function matchMessage(
  kv: Deno.Kv,
  e: SendgridEvent,
): Promise<{ messageId?: string; deliveryId?: string }> {
  if (!e.sgMessageId) return {};
  const candidates = messageIdCandidates(e.sgMessageId);
  return await findDeliveryByMessageId(kv, candidates) ?? { messageId: candidates[0] };
}
