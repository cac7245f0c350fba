/**
 * A fake SendGrid Mail Send API on loopback (Deno.serve, random port). It validates requests the
 * way SendGrid does (Bearer key, personalizations, from, subject, content, base64 attachments,
 * custom_args strings, categories) and answers from a script, one step per request:
 * 202 + X-Message-Id, 400 with an `errors` array, 401, 429 + Retry-After, 500, a hang past the
 * client's timeout, or a connection dropped mid-response. Every request is recorded. Also
 * SendGrid's side of the signed Event Webhook (`eventWebhookSigner`).
 */

export type FakeStep =
  | { kind: "accept" }
  | { kind: "reject"; status: 400 | 403 | 413; message: string; field?: string }
  | { kind: "unauthorized" }
  | { kind: "rate_limit"; retryAfterSeconds: number }
  | { kind: "server_error" }
  | { kind: "hang" }
  | { kind: "drop" };

export interface MailSendBody {
  personalizations: { to: { email: string; name?: string }[] }[];
  from: { email: string; name?: string };
  reply_to?: { email: string; name?: string };
  subject: string;
  content: { type: string; value: string }[];
  attachments?: { content: string; filename: string; type?: string; disposition?: string }[];
  categories?: string[];
  custom_args?: Record<string, string>;
}

export interface RecordedRequest {
  authorization: string | null;
  body: MailSendBody;
  /** What the fake answered (status), or "hang"/"drop". */
  answer: number | "hang" | "drop";
  messageId?: string;
}

export interface FakeSendgrid {
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Requests that SendGrid accepted (202). */
  accepted(): RecordedRequest[];
  /** Steps for the next requests, in order; afterwards every request is accepted. */
  script(...steps: FakeStep[]): void;
  /** Answer every request with this step until changed (null: back to the script). */
  always(step: FakeStep | null): void;
  /** Delay before every answer (ms), as a slow network would. */
  latencyMs: number;
  /** Called when a request arrives (before answering). */
  onRequest?: (r: RecordedRequest) => void;
  close(): Promise<void>;
}

const errors = (message: string, field: string | null = null) => ({
  errors: [{ message, field, help: null }],
});

/** SendGrid's validation, as far as our emails exercise it (repeated addresses included). */
export function validateMailSend(body: unknown): { message: string; field: string } | null {
  const b = body as Partial<MailSendBody> | null;
  if (!b || typeof b !== "object") return { message: "Bad Request", field: "" };
  if (!Array.isArray(b.personalizations) || b.personalizations.length === 0) {
    return { message: "The personalizations field is required.", field: "personalizations" };
  }
  for (const p of b.personalizations) {
    if (!Array.isArray(p.to) || p.to.length === 0 || p.to.some((t) => !t.email?.includes("@"))) {
      return { message: "Each personalization needs a valid to.", field: "personalizations.0.to" };
    }
    if (p.to.some((t) => /[;,]/.test(t.name ?? ""))) {
      return { message: "Invalid name: ; and , are not allowed.", field: "personalizations.0.to" };
    }
    const addresses = p.to.map((t) => t.email.toLowerCase());
    if (new Set(addresses).size !== addresses.length) {
      return {
        message: "Each unique email address in the personalizations array should only be " +
          "included once.",
        field: "personalizations.0.to",
      };
    }
  }
  if (!b.from?.email?.includes("@")) {
    return { message: "The from email is required.", field: "from" };
  }
  if (typeof b.subject !== "string" || !b.subject || /[\r\n]/.test(b.subject)) {
    return { message: "The subject is required and must be one line.", field: "subject" };
  }
  if (!Array.isArray(b.content) || b.content.length === 0) {
    return { message: "The content field is required.", field: "content" };
  }
  if (b.content.some((c) => !c.type || !c.value)) {
    return { message: "Each content needs a type and a value.", field: "content" };
  }
  if (b.content.findIndex((c) => c.type === "text/plain") > 0) {
    return { message: "text/plain must come first.", field: "content" };
  }
  for (const a of b.attachments ?? []) {
    if (!a.filename) {
      return { message: "The attachment filename is required.", field: "attachments" };
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(a.content) || a.content.length % 4 !== 0) {
      return { message: "The attachment content must be base64 encoded.", field: "attachments" };
    }
    if (a.type && /[;\r\n]/.test(a.type)) {
      return { message: "The attachment type cannot contain ';' or CRLF.", field: "attachments" };
    }
  }
  if (Object.values(b.custom_args ?? {}).some((v) => typeof v !== "string")) {
    return { message: "custom_args values must be strings.", field: "custom_args" };
  }
  if (new TextEncoder().encode(JSON.stringify(b.custom_args ?? {})).length >= 10_000) {
    return { message: "custom_args must total less than 10,000 bytes.", field: "custom_args" };
  }
  if (b.reply_to && !b.reply_to.email?.includes("@")) {
    return { message: "The reply_to email must be valid.", field: "reply_to" };
  }
  if ((b.categories ?? []).length > 10 || b.categories?.some((c) => c.length > 255)) {
    return { message: "Too many categories.", field: "categories" };
  }
  return null;
}

export function startFakeSendgrid(apiKey = "SG.fake-key"): FakeSendgrid {
  const queue: FakeStep[] = [];
  let fixed: FakeStep | null = null;
  let counter = 0;
  const hanging = new Set<() => void>();
  const fake: FakeSendgrid = {
    url: "",
    apiKey,
    requests: [],
    latencyMs: 0,
    accepted: () => fake.requests.filter((r) => r.answer === 202),
    script: (...steps) => queue.push(...steps),
    always: (step) => (fixed = step),
    close: async () => {
      for (const release of hanging) release();
      await server.shutdown();
    },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/v3/mail/send") {
      return Response.json(errors("Not Found"), { status: 404 });
    }
    const authorization = req.headers.get("authorization");
    let body: MailSendBody;
    try {
      body = await req.json();
    } catch {
      return Response.json(errors("Bad Request"), { status: 400 });
    }
    const record: RecordedRequest = { authorization, body, answer: 0 };
    fake.requests.push(record);
    fake.onRequest?.(record);
    if (fake.latencyMs > 0) await new Promise((r) => setTimeout(r, fake.latencyMs));
    const step = fixed ?? queue.shift() ?? { kind: "accept" };
    if (authorization !== `Bearer ${apiKey}` || step.kind === "unauthorized") {
      record.answer = 401;
      return Response.json(
        errors("The provided authorization grant is invalid, expired, or revoked"),
        {
          status: 401,
        },
      );
    }
    return await answer(step, record, body, hanging, () => ++counter);
  });
  fake.url = `http://127.0.0.1:${server.addr.port}`;
  return fake;
}

async function answer(
  step: FakeStep,
  record: RecordedRequest,
  body: MailSendBody,
  hanging: Set<() => void>,
  next: () => number,
): Promise<Response> {
  const invalid = validateMailSend(body);
  if (invalid && step.kind === "accept") {
    record.answer = 400;
    return Response.json(errors(invalid.message, invalid.field), { status: 400 });
  }
  switch (step.kind) {
    case "accept": {
      record.answer = 202;
      record.messageId = `fake-msg-${next()}`;
      return new Response(null, { status: 202, headers: { "x-message-id": record.messageId } });
    }
    case "reject":
      record.answer = step.status;
      return Response.json(errors(step.message, step.field), { status: step.status });
    case "rate_limit":
      record.answer = 429;
      return Response.json(errors("too many requests"), {
        status: 429,
        headers: { "retry-after": String(step.retryAfterSeconds) },
      });
    case "server_error":
      record.answer = 500;
      return Response.json(errors("internal server error"), { status: 500 });
    case "hang": {
      record.answer = "hang";
      // Never answers while the test runs: the client's timeout gives up first; close() ends it.
      await new Promise<void>((resolve) => hanging.add(resolve));
      return new Response(null, { status: 202 });
    }
    case "drop": {
      record.answer = "drop";
      // Status line and a first byte go out, then the stream fails: the connection is cut
      // mid-response. Drops before any byte need a raw socket: tests/fakes/sendgrid_wire.ts.
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.error(new Error("connection dropped (scripted)"));
          sent = true;
          controller.enqueue(new TextEncoder().encode("{"));
        },
      });
      return new Response(body, { status: 202, headers: { "content-length": "100" } });
    }
  }
  return new Response(null, { status: 500 });
}

/** DER-encodes WebCrypto's r‖s the way SendGrid sends Event Webhook signatures. */
function p1363ToDer(sig: Uint8Array): Uint8Array {
  const int = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const v = bytes.slice(i);
    return v[0] & 0x80 ? [0x02, v.length + 1, 0, ...v] : [0x02, v.length, ...v];
  };
  const body = [...int(sig.slice(0, 32)), ...int(sig.slice(32))];
  return new Uint8Array([0x30, body.length, ...body]);
}

export interface EventWebhookSigner {
  /** Base64 DER SubjectPublicKeyInfo, as Mail Settings shows it. */
  publicKey: string;
  /** The two headers SendGrid sends with a batch signed at `timestamp` (unix seconds). */
  sign(body: string, timestamp?: string): Promise<Record<string, string>>;
}

/** SendGrid's side of the signed Event Webhook: a P-256 key pair made for the test. */
export async function eventWebhookSigner(): Promise<EventWebhookSigner> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  return {
    publicKey: btoa(String.fromCharCode(...spki)),
    async sign(body, timestamp = String(Math.floor(Date.now() / 1000))) {
      const raw = await crypto.subtle.sign(
        { name: "ECDSA", hash: "SHA-256" },
        pair.privateKey,
        new TextEncoder().encode(timestamp + body),
      );
      return {
        "x-twilio-email-event-webhook-signature": btoa(
          String.fromCharCode(...p1363ToDer(new Uint8Array(raw))),
        ),
        "x-twilio-email-event-webhook-timestamp": timestamp,
      };
    },
  };
}
