/**
 * `POST /api/calcom-webhook`: read the raw body (capped), verify Cal.com's signature over those
 * exact bytes, parse, store durably, then answer. Cal.com never retries, so every signed body is
 * stored, also when we cannot parse it (202).
 */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { alertSettings, noteSignatureFailure } from "@/lib/alerts/mod.ts";
import { BodyTooLargeError, MAX_WEBHOOK_BODY, readBodyCapped } from "@/lib/calcom/body.ts";
import { parseCalcomDelivery } from "@/lib/calcom/event.ts";
import { signatureHeaderProblem, verifyCalcomSignature } from "@/lib/calcom/signature.ts";
import { dispatchAfterIngest } from "@/lib/outbox/runtime.ts";
import { recordWebhook } from "@/lib/store/ingest.ts";
import { recordSignatureFailure } from "@/lib/store/signature_failures.ts";
import { log } from "@/lib/log.ts";
import type { RequestState } from "../_middleware.ts";

const json = (status: number, body: unknown) => Response.json(body, { status });
/** One body for every signature failure, so the answer reveals nothing about the reason. */
const UNAUTHORIZED = JSON.stringify({ ok: false, error: "invalid signature" });

export const handler: Handlers = {
  async POST(req, ctx) {
    const { kv, config, webhookSecrets } = services();
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = await readBodyCapped(req, MAX_WEBHOOK_BODY);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        return json(413, { ok: false, error: "body too large" });
      }
      return json(400, { ok: false, error: "body could not be read" });
    }
    const header = req.headers.get("x-cal-signature-256");
    if (!(await verifyCalcomSignature(body, header, webhookSecrets))) {
      const reason = signatureHeaderProblem(header) ?? "mismatch";
      log.warn("webhook signature rejected", { reason, size: body.byteLength });
      // Independent writes (the webhooks page's record, the alert's window): not one after the other.
      await Promise.all([
        recordSignatureFailure(kv, reason, ctx.remoteAddr.hostname).catch(() => {}),
        noteSignatureFailure(kv, alertSettings(config)).catch(() => {}),
      ]);
      return new Response(UNAUTHORIZED, {
        status: 401,
        headers: { "content-type": "application/json" },
      });
    }
    const parsed = parseCalcomDelivery(body);
    try {
      const result = await recordWebhook(kv, {
        body,
        parsed,
        contentType: req.headers.get("content-type") ?? undefined,
        webhookVersion: req.headers.get("x-cal-webhook-version") ?? undefined,
        requestId: (ctx.state as Partial<RequestState>).requestId,
      }, { notifyEvents: config.notifyEvents, enqueue: config.queueMode === "kv" });
      dispatchAfterIngest(result.deliveryIds);
      const trigger = parsed.recognised ? parsed.event.trigger : parsed.trigger;
      log.info("webhook stored", {
        eventId: result.id,
        trigger: trigger?.slice(0, 64),
        recognised: parsed.recognised,
        duplicate: result.duplicate,
        size: body.byteLength,
      });
      if (result.duplicate) return json(200, { ok: true, id: result.id, duplicate: true });
      if (!parsed.recognised) return json(202, { ok: true, id: result.id, recognised: false });
      return json(200, { ok: true, id: result.id });
    } catch (err) {
      log.error("webhook not stored: KV unavailable", { error: (err as Error).name });
      return json(503, { ok: false, error: "storage unavailable, retry later" });
    }
  },
};
