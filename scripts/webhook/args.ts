/**
 * Command-line flags of `deno task webhook:send`, parsed with node:util `parseArgs` and checked
 * for combinations that make no sense, so a typo fails before anything is sent.
 * @module
 */
import { parseArgs } from "node:util";
import { isTemplateTrigger, TEMPLATE_TRIGGERS } from "./templates.ts";

export type Environment = "local" | "preview" | "production";
export type Mode = "single" | "suite" | "sequence";
export type SignatureMode = "valid" | "bad" | "no-secret";

export interface SendOptions {
  mode: Mode;
  env: Environment;
  url?: string;
  previewUrl?: string;
  productionUrl?: string;
  secret?: string;
  event: string;
  file?: string;
  uid?: string;
  contentType: string;
  webhookVersion: string;
  signature: SignatureMode;
  json: boolean;
  help: boolean;
}

export const USAGE = `Send Cal.com-style webhooks to calcom-webhook.

Usage: deno task webhook:send [target] [what] [options]

Target (default --env local):
  --env local|preview|production   local: http://localhost:$PORT/api/calcom-webhook
  --url URL                        the full endpoint URL (health is read from its origin)
  --preview-url URL                instead of PREVIEW_URL
  --production-url URL             instead of PRODUCTION_URL

What (default --event PING):
  --event TRIGGER                  a template with fresh uids and times (--list shows them)
  --file payload.json              sent byte for byte as it is in the file
  --uid UID                        the booking uid templates use (default: a new one)
  --suite                          positive and negative checks with a pass/fail table
  --sequence                       create -> reschedule -> cancel of one booking

Signing (lowercase hex HMAC-SHA256 of the exact bytes, X-Cal-Signature-256):
  --secret S                       else CALCOM_WEBHOOK_SECRET (first of a list), else the
                                   local instance's generated secret from its KV (--env local)
  --bad-signature                  sign with a wrong secret
  --no-secret                      send "no-secret-provided", as Cal.com does without a secret

Output:
  --json                           machine-readable result on stdout
  --content-type TYPE              default application/json
  --webhook-version V              X-Cal-Webhook-Version, default 2021-10-20
  --list                           print the template triggers
  -h, --help

Exit status: 0 when every answer is as expected (any 2xx for a single send), 1 otherwise,
2 for a usage problem.`;

export class UsageError extends Error {}

/** Parses and validates `args`; throws {@link UsageError} with a one-line reason. */
export function parseSendArgs(args: string[]): SendOptions & { list: boolean } {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      env: { type: "string" },
      url: { type: "string" },
      "preview-url": { type: "string" },
      "production-url": { type: "string" },
      secret: { type: "string" },
      event: { type: "string" },
      file: { type: "string" },
      uid: { type: "string" },
      suite: { type: "boolean", default: false },
      sequence: { type: "boolean", default: false },
      "bad-signature": { type: "boolean", default: false },
      "no-secret": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "content-type": { type: "string", default: "application/json" },
      "webhook-version": { type: "string", default: "2021-10-20" },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const env = values.env ?? "local";
  if (env !== "local" && env !== "preview" && env !== "production") {
    throw new UsageError(`--env must be local, preview or production, not "${env}"`);
  }
  if (values.url && values.env) throw new UsageError("give --env or --url, not both");
  if (values.suite && values.sequence) throw new UsageError("give --suite or --sequence, not both");
  if (values.file && values.event) throw new UsageError("give --event or --file, not both");
  if (values["bad-signature"] && values["no-secret"]) {
    throw new UsageError("give --bad-signature or --no-secret, not both");
  }
  const mode: Mode = values.suite ? "suite" : values.sequence ? "sequence" : "single";
  if (mode !== "single" && (values.file || values["bad-signature"] || values["no-secret"])) {
    throw new UsageError(
      `--${mode} builds its own requests: drop --file/--bad-signature/--no-secret`,
    );
  }
  const event = values.event ?? "PING";
  if (!isTemplateTrigger(event)) {
    throw new UsageError(`unknown --event "${event}"; one of: ${TEMPLATE_TRIGGERS.join(", ")}`);
  }
  return {
    mode,
    env,
    url: values.url,
    previewUrl: values["preview-url"],
    productionUrl: values["production-url"],
    secret: values.secret,
    event,
    file: values.file,
    uid: values.uid,
    contentType: values["content-type"],
    webhookVersion: values["webhook-version"],
    signature: values["bad-signature"] ? "bad" : values["no-secret"] ? "no-secret" : "valid",
    json: values.json,
    help: values.help,
    list: values.list,
  };
}
