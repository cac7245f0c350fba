/**
 * `deno task webhook:send`: hit any environment the way Cal.com would. One signed delivery
 * (a template or a file), the pass/fail `--suite`, or a create → reschedule → cancel
 * `--sequence`. Run with `--help` for the flags; scripts/webhook/ holds the parts.
 * @module
 */
import { parseSendArgs, type SendOptions, USAGE, UsageError } from "./webhook/args.ts";
import {
  bytesOf,
  isSuccess,
  postWebhook,
  type Signing,
  type WebhookAnswer,
} from "./webhook/deliver.ts";
import { stdoutPaint, suiteTable } from "./webhook/report.ts";
import { runSequence } from "./webhook/sequence.ts";
import { runSuite } from "./webhook/suite.ts";
import { resolveSecret, resolveTarget, type Target } from "./webhook/target.ts";
import { newBooking } from "./webhook/booking_payload.ts";
import { buildDelivery, isTemplateTrigger, TEMPLATE_TRIGGERS } from "./webhook/templates.ts";

const NO_SECRET = "no webhook secret: pass --secret, set CALCOM_WEBHOOK_SECRET, or (for --env " +
  "local) start the local instance once with `deno task start` so it generates one";

async function signingFor(options: SendOptions): Promise<Signing> {
  if (options.signature === "bad") return { kind: "wrong-secret" };
  if (options.signature === "no-secret") return { kind: "no-secret-provided" };
  const secret = await resolveSecret(options);
  if (!secret) throw new UsageError(NO_SECRET);
  return { kind: "secret", secret };
}

const bodyOf = (a: WebhookAnswer) => a.json ?? a.text;

async function sendOne(options: SendOptions, target: Target): Promise<boolean> {
  const signing = await signingFor(options);
  let body: Uint8Array<ArrayBuffer>;
  let label: string;
  let bookingUid: string | undefined;
  if (options.file) {
    body = await Deno.readFile(options.file) as Uint8Array<ArrayBuffer>;
    label = options.file;
  } else if (isTemplateTrigger(options.event)) {
    const booking = options.uid ? newBooking(new Date(), options.uid) : undefined;
    const delivery = buildDelivery(options.event, { booking });
    body = bytesOf(delivery.body);
    label = options.event;
    bookingUid = delivery.booking.uid;
  } else {
    throw new UsageError(`unknown --event "${options.event}"`);
  }
  const answer = await postWebhook({
    endpoint: target.endpoint,
    body,
    signing,
    contentType: options.contentType,
    webhookVersion: options.webhookVersion,
  });
  const ok = isSuccess(answer.status);
  if (options.json) {
    const result = {
      endpoint: target.endpoint.href,
      sent: label,
      bookingUid,
      ok,
      status: answer.status,
    };
    console.log(JSON.stringify({ ...result, body: bodyOf(answer) }));
  } else {
    console.log(
      `POST ${target.endpoint.href} · ${label} · ${body.byteLength} bytes · ${signing.kind}`,
    );
    console.log(`HTTP ${answer.status} ${answer.statusText}`);
    console.log(answer.text);
  }
  return ok;
}

async function suite(options: SendOptions, target: Target): Promise<boolean> {
  const secret = await resolveSecret(options);
  if (!secret) throw new UsageError(NO_SECRET);
  if (!isTemplateTrigger(options.event)) throw new UsageError(`unknown --event "${options.event}"`);
  const results = await runSuite({
    target,
    secret,
    trigger: options.event,
    contentType: options.contentType,
    webhookVersion: options.webhookVersion,
  });
  const ok = results.every((r) => r.passed);
  if (options.json) {
    console.log(JSON.stringify({ endpoint: target.endpoint.href, ok, checks: results }));
  } else {
    console.log(suiteTable(target.endpoint.href, results, stdoutPaint()));
  }
  return ok;
}

async function sequence(options: SendOptions, target: Target): Promise<boolean> {
  const signing = await signingFor(options);
  const steps = await runSequence({
    endpoint: target.endpoint,
    signing,
    uid: options.uid,
    contentType: options.contentType,
    webhookVersion: options.webhookVersion,
  }, (step) => {
    if (options.json) return;
    console.log(
      `${step.trigger} ${step.bookingUid} → HTTP ${step.answer.status} ${step.answer.text}`,
    );
  });
  const ok = steps.length === 3 && steps.every((s) => isSuccess(s.answer.status));
  if (options.json) {
    const out = steps.map((s) => ({
      trigger: s.trigger,
      bookingUid: s.bookingUid,
      status: s.answer.status,
      body: bodyOf(s.answer),
    }));
    console.log(JSON.stringify({ endpoint: target.endpoint.href, ok, steps: out }));
  }
  return ok;
}

async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseSendArgs(args);
  } catch (err) {
    console.error(`webhook:send: ${(err as Error).message}\n(see --help)`);
    return 2;
  }
  if (options.help) return console.log(USAGE), 0;
  if (options.list) return console.log(TEMPLATE_TRIGGERS.join("\n")), 0;
  try {
    const target = resolveTarget(options);
    const run = { single: sendOne, suite, sequence }[options.mode];
    return (await run(options, target)) ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`webhook:send: ${err.message}`);
      return 2;
    }
    console.error(`webhook:send: request failed: ${(err as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
