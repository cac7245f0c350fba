/**
 * SendGrid's signed Event Webhook: ECDSA P-256/SHA-256 over `timestamp + raw body`, the key a
 * base64 DER SubjectPublicKeyInfo, the signature base64 DER. WebCrypto verifies IEEE P1363
 * (r‖s, 32 bytes each), so the DER signature is converted first.
 * @module
 */
import type { DeliveryStatus } from "../store/deliveries.ts";

export const SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
export const TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Imports the verification key from Mail Settings (base64 DER, PEM armour tolerated). */
export async function importEventWebhookKey(publicKey: string): Promise<CryptoKey | null> {
  const der = base64Bytes(publicKey.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""));
  if (!der) return null;
  try {
    return await crypto.subtle.importKey(
      "spki",
      der,
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
  } catch {
    return null;
  }
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` → 64-byte r‖s; null when malformed. */
export function derToP1363(der: Uint8Array): Uint8Array<ArrayBuffer> | null {
  let pos = 0;
  const readLength = (): number | null => {
    const first = der[pos++];
    if (first === undefined) return null;
    if (first < 0x80) return first;
    if (first !== 0x81) return null; // an ECDSA P-256 signature is never longer than 255
    return der[pos++] ?? null;
  };
  if (der[pos++] !== 0x30 || readLength() === null) return null;
  const out = new Uint8Array(64);
  for (const offset of [0, 32]) {
    if (der[pos++] !== 0x02) return null;
    const length = readLength();
    if (length === null || length < 1 || pos + length > der.length) return null;
    let int = der.subarray(pos, pos + length);
    pos += length;
    while (int.length > 32 && int[0] === 0) int = int.subarray(1);
    if (int.length > 32) return null;
    out.set(int, offset + 32 - int.length);
  }
  return pos === der.length ? out : null;
}

/**
 * Verifies one delivery of the Event Webhook over the exact bytes received.
 *
 * @example
 * await verifyEventWebhook(key, rawBody, req.headers.get(SIGNATURE_HEADER), timestamp);
 */
export async function verifyEventWebhook(
  key: CryptoKey,
  body: Uint8Array,
  signature: string | null,
  timestamp: string | null,
): Promise<boolean> {
  if (!signature || !timestamp) return false;
  const der = base64Bytes(signature);
  const p1363 = der && derToP1363(der);
  if (!p1363) return false;
  const prefix = new TextEncoder().encode(timestamp);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, p1363, signed);
}

/** SendGrid event names → delivery statuses; others (processed, click, …) are only recorded. */
export const EVENT_STATUS: Record<string, DeliveryStatus> = {
  delivered: "delivered",
  bounce: "bounced",
  dropped: "dropped",
  deferred: "deferred",
  open: "opened",
};

export interface SendgridEvent {
  event: string;
  sgEventId: string;
  timestamp?: number;
  deliveryId?: string;
  /** `sg_message_id` as sent: `<X-Message-Id>.<filter…>`, see `messageIdCandidates`. */
  sgMessageId?: string;
  reason?: string;
}

/** The events of a batch we can use; malformed entries are skipped, never fatal. */
export function parseSendgridEvents(body: Uint8Array): SendgridEvent[] | null {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return null;
  }
  if (!Array.isArray(json)) return null;
  const events: SendgridEvent[] = [];
  for (const raw of json) {
    if (typeof raw !== "object" || raw === null) continue;
    const e = raw as Record<string, unknown>;
    if (typeof e.event !== "string" || typeof e.sg_event_id !== "string") continue;
    const text = (v: unknown) => (typeof v === "string" && v ? v.slice(0, 500) : undefined);
    events.push({
      event: e.event.slice(0, 40),
      sgEventId: e.sg_event_id.slice(0, 200),
      // Seconds; a value no Date can hold is treated as absent, not allowed to fail the batch.
      timestamp: typeof e.timestamp === "number" && Math.abs(e.timestamp) < 8.64e12
        ? e.timestamp
        : undefined,
      deliveryId: text(e.delivery_id),
      sgMessageId: text(e.sg_message_id),
      reason: text(e.reason) ?? text(e.response),
    });
  }
  return events;
}

/**
 * The `X-Message-Id`s an `sg_message_id` may start with, shortest first. SendGrid appends
 * `.filter…` (or `.recvd-…`) to the id it answered with; today's ids hold no dot, but the
 * documented example does (`14c5d75ce93.dfd.64b469.filter0001…`), so every dot is a candidate.
 *
 * @example
 * messageIdCandidates("a.b.filter1"); // ["a", "a.b", "a.b.filter1"]
 */
export function messageIdCandidates(sgMessageId: string, max = 8): string[] {
  const parts = sgMessageId.split(".");
  const out: string[] = [];
  for (let i = 1; i <= parts.length && out.length < max; i++) {
    const candidate = parts.slice(0, i).join(".");
    if (candidate) out.push(candidate);
  }
  return out;
}
