/**
 * Verification of Cal.com's `X-Cal-Signature-256` header: lowercase hex HMAC-SHA256 of the
 * exact request bytes, keyed with the webhook secret. Cal.com signs nothing else (no timestamp),
 * and sends the literal `no-secret-provided` when the webhook has no secret.
 * @module
 */

const encoder = new TextEncoder();
const HEX_SIGNATURE = /^[0-9a-fA-F]{64}$/;
const keyCache = new Map<string, Promise<CryptoKey>>();

/** Imports (once per secret) the HMAC key used to verify and to sign. */
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keyCache.set(secret, key);
  }
  return key;
}

/** Decodes the header value to 32 bytes, or null when it cannot be a Cal.com signature. */
export function decodeSignatureHeader(header: string | null): Uint8Array<ArrayBuffer> | null {
  if (header === null) return null;
  const hex = header.trim().replace(/^sha256=/i, "");
  if (!HEX_SIGNATURE.test(hex)) return null; // also rejects "no-secret-provided"
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export type SignatureProblem = "missing" | "no-secret-provided" | "malformed" | "mismatch";

/** Why a header cannot verify before any HMAC is computed, for the failure log (never the answer). */
export function signatureHeaderProblem(header: string | null): SignatureProblem | null {
  if (header === null || header.trim() === "") return "missing";
  if (header.trim() === "no-secret-provided") return "no-secret-provided";
  return decodeSignatureHeader(header) ? null : "malformed";
}

/**
 * True when `header` is a valid signature of `body` under any of `secrets` (rotation).
 * `crypto.subtle.verify` compares in constant time; every secret is tried so the time taken
 * does not reveal which one matched.
 *
 * @example
 * await verifyCalcomSignature(body, req.headers.get("x-cal-signature-256"), ["s3cret"]);
 */
export async function verifyCalcomSignature(
  body: Uint8Array<ArrayBuffer>,
  header: string | null,
  secrets: readonly string[],
): Promise<boolean> {
  const signature = decodeSignatureHeader(header);
  if (!signature) return false;
  let valid = false;
  for (const secret of secrets) {
    const ok = await crypto.subtle.verify("HMAC", await hmacKey(secret), signature, body);
    valid ||= ok;
  }
  return valid;
}

/** Signs `body` exactly as Cal.com does: lowercase hex HMAC-SHA256. */
export async function signCalcomBody(
  body: Uint8Array<ArrayBuffer> | string,
  secret: string,
): Promise<string> {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), bytes));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}
