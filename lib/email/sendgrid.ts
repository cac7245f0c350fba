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
import { headerSafe } from "./subject.ts";
import type { EmailTransport, OutgoingEmail, SendResult } from "./types.ts";

/** Default request timeout: far inside the two-minute lease. */
export const SENDGRID_TIMEOUT_MS = 20_000;
/** HTTP statuses that no retry can fix (DESIGN.md § Delivery status machine). */
const PERMANENT = new Set([400, 401, 403, 404, 405, 406, 413, 415, 422]);

/**
 * What the library rejects with: a `ResponseError` (`code` = HTTP status ≥ 400), or an axios
 * error (`code` a string; `response.status` when an answer came back, e.g. a 3xx not followed).
 */
interface SendgridError {
  code?: number | string;
  message?: string;
  response?: {
    status?: number;
    body?: unknown;
    headers?: Record<string, string | undefined>;
  };
}

/** A custom_args value longer than this is left out: SendGrid caps them at 10,000 bytes in all. */
const MAX_CUSTOM_ARG = 255;

/** The mail/send body fields, in the library's camelCase (it sends snake_case). */
export function sendgridMessage(email: OutgoingEmail) {
  const replyTo = email.replyTo && {
    email: email.replyTo.email,
    ...(email.replyTo.name ? { name: headerSafe(email.replyTo.name) } : {}),
  };
  return {
    to: uniqueAddresses(email.to),
    from: email.from,
    replyTo,
    // Also checked when composed; a stored email from an older version is sent as it was.
    subject: headerSafe(email.subject),
    text: email.text,
    html: email.html,
    attachments: email.calendar
      ? [{
        content: base64(new TextEncoder().encode(email.calendar.content)),
        filename: email.calendar.filename,
        type: "text/calendar",
        disposition: "attachment",
      }]
      : undefined,
    categories: email.categories,
    customArgs: Object.fromEntries(
      Object.entries(email.customArgs)
        .map(([k, v]) => [k, String(v)])
        .filter(([, v]) => v.length <= MAX_CUSTOM_ARG),
    ),
  };
}

/**
 * SendGrid answers 400 when an address appears twice in a personalization ("Each unique email
 * address ... should only be included once"), case aside: EMAIL_TO may repeat one.
 */
function uniqueAddresses(addresses: string[]): string[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const key = a.trim().toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Base64 in chunks: spreading a large attachment into one call overflows the stack. */
function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
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

/**
 * Network errors carry a string code; HTTP errors the status and SendGrid's `errors[]`. A 3xx
 * (never followed, see sendgrid_client.ts) is permanent: Mail Send does not redirect, so the
 * base URL is wrong and the same request would be redirected again.
 */
export function classifyError(err: SendgridError): SendResult {
  // Axios also keeps the response of a 2xx whose body broke off: that stays a network error.
  const redirect = err.response?.status;
  const status = typeof err.code === "number"
    ? err.code
    : redirect && redirect >= 300 && redirect < 400
    ? redirect
    : undefined;
  if (status === undefined) {
    return { ok: false, permanent: false, error: `network: ${err.code ?? err.message ?? "error"}` };
  }
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      permanent: true,
      httpStatus: status,
      error: `HTTP ${status}: redirect not followed`,
    };
  }
  const messages = errorMessages(err.response?.body);
  const error = `HTTP ${status}${messages ? `: ${messages}` : ""}`;
  // A 503 may say when to come back as well as a 429.
  const transient = status === 429 || status >= 500;
  return {
    ok: false,
    permanent: PERMANENT.has(status),
    httpStatus: status,
    error,
    retryAfterMs: transient ? retryAfterMs(err.response?.headers ?? {}) : undefined,
  };
}

/** SendGrid's `errors[]`: each `message`, with the `field` it names when there is one. */
function errorMessages(body: unknown): string {
  const errors = (body as { errors?: { message?: unknown; field?: unknown }[] } | undefined)
    ?.errors;
  if (!Array.isArray(errors)) return "";
  return errors
    .map((e) => {
      const message = typeof e?.message === "string" ? e.message : "";
      const field = typeof e?.field === "string" && e.field ? e.field : "";
      return message && field ? `${message} (${field})` : message;
    })
    .filter(Boolean).join("; ").slice(0, 500);
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
