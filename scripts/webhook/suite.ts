/**
 * `--suite`: what Cal.com and an attacker can send, and what the receiver must answer. Valid
 * deliveries use PING by default, which is stored but never emails staff, so the suite is safe
 * to run against production after every deploy.
 * @module
 */
import { MAX_WEBHOOK_BODY } from "@/lib/calcom/body.ts";
import type { Trigger } from "@/lib/calcom/schema.ts";
import {
  bytesOf,
  getHealth,
  isSuccess,
  postWebhook,
  type Signing,
  type WebhookAnswer,
} from "./deliver.ts";
import type { Target } from "./target.ts";
import { buildDelivery } from "./templates.ts";

export interface CheckResult {
  name: string;
  expected: string;
  /** HTTP status received, or null when the request failed. */
  status: number | null;
  passed: boolean;
  detail: string;
}

export interface SuiteOptions {
  target: Target;
  secret: string;
  trigger: Trigger;
  contentType?: string;
  webhookVersion?: string;
}

type Expect = (answer: WebhookAnswer) => boolean;

async function check(
  name: string,
  expected: string,
  send: () => Promise<WebhookAnswer>,
  accept: Expect,
): Promise<CheckResult> {
  try {
    const answer = await send();
    const passed = accept(answer);
    return { name, expected, status: answer.status, passed, detail: summary(answer) };
  } catch (err) {
    return { name, expected, status: null, passed: false, detail: (err as Error).message };
  }
}

/** A short, log-safe description of an answer: the JSON fields our app sends, no payload text. */
function summary(answer: WebhookAnswer): string {
  if (!answer.json) return answer.text.slice(0, 80).replace(/\s+/g, " ");
  const { ok, id, duplicate, error, kv, recognised } = answer.json;
  return Object.entries({ ok, id, duplicate, recognised, error, kv })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

/** A body one byte over the limit; signed, so only its size can explain a refusal. */
function oversizedBody(): Uint8Array<ArrayBuffer> {
  const head = '{"triggerEvent":"PING","createdAt":"' + new Date().toISOString() + '","padding":"';
  const tail = '"}';
  const pad = MAX_WEBHOOK_BODY + 1 - head.length - tail.length;
  return bytesOf(head + "x".repeat(pad) + tail);
}

/** Runs every check in order (the duplicate check re-sends the valid delivery's bytes). */
export async function runSuite(options: SuiteOptions): Promise<CheckResult[]> {
  const { target, secret } = options;
  const post = (body: Uint8Array<ArrayBuffer>, signing: Signing) => () =>
    postWebhook({
      endpoint: target.endpoint,
      body,
      signing,
      contentType: options.contentType,
      webhookVersion: options.webhookVersion,
    });
  const fresh = () => bytesOf(buildDelivery(options.trigger).body);
  const signed: Signing = { kind: "secret", secret };
  const valid = fresh();
  const is = (status: number): Expect => (a) => a.status === status;
  return [
    await check("health", "200", () => getHealth(target.health), is(200)),
    await check(`valid ${options.trigger}`, "2xx", post(valid, signed), (a) => isSuccess(a.status)),
    await check(
      "duplicate",
      "200 duplicate",
      post(valid, signed),
      (a) => a.status === 200 && a.json?.duplicate === true,
    ),
    await check("invalid signature", "401", post(fresh(), { kind: "wrong-secret" }), is(401)),
    await check("missing signature", "401", post(fresh(), { kind: "none" }), is(401)),
    await check(
      "no-secret-provided",
      "401",
      post(fresh(), { kind: "no-secret-provided" }),
      is(401),
    ),
    await check("oversized body", "413", post(oversizedBody(), signed), is(413)),
  ];
}
