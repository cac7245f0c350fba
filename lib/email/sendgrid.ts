/**
 * SendGrid Mail Send through `@sendgrid/mail`, one client per transport. `setApiKey` resets the
 * base URL, so it is called first and `SENDGRID_API_URL` (a mock or proxy) applied after; the
 * axios timeout bounds every request well inside the delivery lease.
 * @module
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { MailService } from "@sendgrid/mail";
import type { SendgridConfig } from "../config.ts";
import type { EmailTransport, OutgoingEmail, SendResult } from "./types.ts";

/** Default request timeout: far inside the two-minute lease. */
export const SENDGRID_TIMEOUT_MS = 20_000;
/** HTTP statuses that no retry can fix (DESIGN.md § Delivery status machine). */
const PERMANENT = new Set([400, 401, 403, 404, 405, 406, 413, 415, 422]);

interface WithHttpClient {
  client: { setDefaultRequest(key: string, value: unknown): void };
}

interface SendgridError {
  code?: number | string;
  message?: string;
  response?: { body?: unknown; headers?: Record<string, string | undefined> };
}

/** The mail/send body fields, in the library's camelCase (it sends snake_case). */
export function sendgridMessage(email: OutgoingEmail) {
  return {
    to: email.to,
    from: email.from,
    replyTo: email.replyTo,
    subject: email.subject,
    text: email.text,
    html: email.html,
    attachments: email.calendar
      ? [{
        content: btoa(String.fromCharCode(...new TextEncoder().encode(email.calendar.content))),
        filename: email.calendar.filename,
        type: "text/calendar",
        disposition: "attachment",
      }]
      : undefined,
    categories: email.categories,
    customArgs: email.customArgs,
  };
}

/**
 * @example
 * const transport = createSendgridTransport({ apiKey, apiUrl }, { timeoutMs: 10_000 });
 * const result = await transport.send(email);
 */
export function createSendgridTransport(
  config: SendgridConfig,
  options: { timeoutMs?: number } = {},
): EmailTransport {
  const client = new MailService();
  client.setApiKey(config.apiKey); // first: it resets baseUrl to api.sendgrid.com
  // The typings omit the instance's `client` (a @sendgrid/client Client): its axios defaults.
  const http = (client as unknown as WithHttpClient).client;
  http.setDefaultRequest("baseUrl", config.apiUrl.replace(/\/+$/, "") + "/");
  client.setTimeout(options.timeoutMs ?? SENDGRID_TIMEOUT_MS);
  // No keep-alive: Deno's node:http re-sends a request, POST included, when the pooled socket
  // it went out on closes before a response, even one axios destroyed at its timeout
  // (denoland/deno#36786). SendGrid has no idempotency key, so that replay is a second email.
  // A fresh socket per request is never "reused", so never replayed (tests/email_transport_test.ts).
  http.setDefaultRequest("httpAgent", new HttpAgent({ keepAlive: false }));
  http.setDefaultRequest("httpsAgent", new HttpsAgent({ keepAlive: false }));
  // A redirect would re-post the email elsewhere; SendGrid's Mail Send never redirects.
  http.setDefaultRequest("maxRedirects", 0);
  return {
    name: "sendgrid",
    async send(email: OutgoingEmail): Promise<SendResult> {
      try {
        const [response] = await client.send(sendgridMessage(email));
        const id = response.headers["x-message-id"];
        return {
          ok: true,
          httpStatus: response.statusCode,
          messageId: id ? String(id) : undefined,
        };
      } catch (err) {
        return classifyError(err as SendgridError);
      }
    },
  };
}

/** Network errors carry a string code; HTTP errors the status and SendGrid's `errors[]`. */
export function classifyError(err: SendgridError): SendResult {
  if (typeof err.code !== "number") {
    return { ok: false, permanent: false, error: `network: ${err.code ?? err.message ?? "error"}` };
  }
  const status = err.code;
  const messages = errorMessages(err.response?.body);
  const error = `HTTP ${status}${messages ? `: ${messages}` : ""}`;
  return {
    ok: false,
    permanent: PERMANENT.has(status),
    httpStatus: status,
    error,
    retryAfterMs: status === 429 ? retryAfterMs(err.response?.headers ?? {}) : undefined,
  };
}

function errorMessages(body: unknown): string {
  const errors = (body as { errors?: { message?: unknown }[] } | undefined)?.errors;
  if (!Array.isArray(errors)) return "";
  return errors.map((e) => String(e?.message ?? "")).filter(Boolean).join("; ").slice(0, 500);
}

/** `Retry-After` (seconds or an HTTP date), else `X-RateLimit-Reset` (epoch seconds). */
export function retryAfterMs(
  headers: Record<string, string | undefined>,
  now = Date.now(),
): number | undefined {
  const retryAfter = headers["retry-after"];
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = Number(headers["x-ratelimit-reset"]);
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : undefined;
}
