/**
 * One POST as Cal.com makes it: the exact bytes, `X-Cal-Signature-256` (lowercase hex
 * HMAC-SHA256 of those bytes, the literal `no-secret-provided`, or nothing) and
 * `X-Cal-Webhook-Version`. Redirects are not followed, as Cal.com does not follow them.
 * @module
 */
import { signCalcomBody } from "@/lib/calcom/signature.ts";

/** How the request is signed: a secret, a wrong secret, Cal.com's no-secret literal, or no header. */
export type Signing =
  | { kind: "secret"; secret: string }
  | { kind: "wrong-secret" }
  | { kind: "no-secret-provided" }
  | { kind: "none" };

export interface WebhookRequest {
  endpoint: URL;
  body: Uint8Array<ArrayBuffer>;
  signing: Signing;
  contentType?: string;
  webhookVersion?: string;
}

export interface WebhookAnswer {
  status: number;
  statusText: string;
  /** The response body as text (JSON from our app). */
  text: string;
  /** Parsed JSON body, when it is JSON. */
  json?: Record<string, unknown>;
}

const encoder = new TextEncoder();

export function bytesOf(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

/** The header value for `signing`, or null for no header. */
export async function signatureHeader(
  body: Uint8Array<ArrayBuffer>,
  signing: Signing,
): Promise<string | null> {
  switch (signing.kind) {
    case "secret":
      return await signCalcomBody(body, signing.secret);
    case "wrong-secret": {
      // A well-formed signature under a random key: it fails only because the secret is wrong.
      const randomSecret = crypto.randomUUID();
      return await signCalcomBody(body, randomSecret);
    }
    case "no-secret-provided":
      return "no-secret-provided";
    case "none":
      return null;
  }
}

/** Sends the webhook and reads the whole answer. Network failures reject. */
export async function postWebhook(req: WebhookRequest): Promise<WebhookAnswer> {
  const headers = new Headers({
    "content-type": req.contentType ?? "application/json",
    "x-cal-webhook-version": req.webhookVersion ?? "2021-10-20",
  });
  const signature = await signatureHeader(req.body, req.signing);
  if (signature !== null) headers.set("x-cal-signature-256", signature);
  const res = await fetch(req.endpoint, {
    method: "POST",
    headers,
    body: req.body,
    redirect: "manual",
  });
  return await answerOf(res);
}

/** `GET` the health endpoint. */
export async function getHealth(url: URL): Promise<WebhookAnswer> {
  return await answerOf(await fetch(url, { redirect: "manual" }));
}

async function answerOf(res: Response): Promise<WebhookAnswer> {
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) json = parsed;
  } catch {
    // not JSON (a proxy's error page, say): keep the text
  }
  return { status: res.status, statusText: res.statusText, text, json };
}

export const isSuccess = (status: number) => status >= 200 && status < 300;
