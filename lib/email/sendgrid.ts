/**
 * SendGrid Mail Send through `@sendgrid/mail`, one client per transport. `setApiKey` resets the
 * base URL, so it is called first and `SENDGRID_API_URL` (a mock or proxy) applied after; the
 * axios timeout bounds every request well inside the delivery lease.
 *
 * The client (sendgrid_client.ts: `@sendgrid/mail` with axios and Node's http stack, ~100 ms to
 * load) is loaded on first use, `prepare()` or the first send, so a process start never waits
 * for it.
 * @module
 */
import type { MailService } from "@sendgrid/mail";
import type { SendgridConfig } from "../config.ts";
import type { EmailTransport, OutgoingEmail, SendResult } from "./types.ts";

/** Default request timeout: far inside the two-minute lease. */
export const SENDGRID_TIMEOUT_MS = 20_000;
/** HTTP statuses that no retry can fix (DESIGN.md § Delivery status machine). */
const PERMANENT = new Set([400, 401, 403, 404, 405, 406, 413, 415, 422]);

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
  let loading: Promise<MailService> | undefined;
  const client = () => {
    // A failed load is not cached: the next send tries again.
    loading ??= import("./sendgrid_client.ts")
      .then(({ createMailClient }) =>
        createMailClient(config, options.timeoutMs ?? SENDGRID_TIMEOUT_MS)
      )
      .catch((error) => {
        loading = undefined;
        throw error;
      });
    return loading;
  };
  return {
    name: "sendgrid",
    async prepare() {
      await client();
    },
    async send(email: OutgoingEmail): Promise<SendResult> {
      // Outside the try: a client that cannot load is our fault, not an answer from SendGrid.
      const service = await client();
      try {
        const [response] = await service.send(sendgridMessage(email));
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
