/**
 * A dispatcher: everything one send needs (KV, configuration, transport, clock, schedule) and
 * the one operation all paths share: render (once) → claim → send → record, in two commits on
 * the happy path (the claim stores a fresh rendering; the result carries the latency histogram).
 * The queue listener, the cron sweep and staff resends all end here.
 * @module
 */
import type { Config, QueueMode } from "../config.ts";
import { composeDeliveryEmail } from "../email/renderer.ts";
import { createDevOutboxTransport } from "../email/dev_outbox.ts";
import { createSendgridTransport } from "../email/sendgrid.ts";
import type { EmailTransport, OutgoingEmail, SendResult } from "../email/types.ts";
import { alertSettings, noteDeadDelivery } from "../alerts/mod.ts";
import { log } from "../log.ts";
import { addDispatchLatency, observeDispatchLatency } from "../observability/metrics.ts";
import type { DeliveryRecord } from "../store/deliveries.ts";
import { attemptsInSeries, claimDelivery, finishAttempt } from "../store/delivery_transitions.ts";
import {
  addDeliveryEmailMutations,
  readDeliveryEmail,
  storeDeliveryEmail,
} from "../store/delivery_emails.ts";
import { DEFAULT_RETRY_POLICY, outcomeFor, type RetryPolicy } from "./schedule.ts";

/** A claim lasts this long: longer than the SendGrid timeout, at most two minutes. */
export const LEASE_MS = 120_000;

export interface Dispatcher {
  kv: Deno.Kv;
  config: Config;
  transport: EmailTransport;
  queueMode: QueueMode;
  /** Epoch ms; injectable so tests can jump ahead instead of sleeping. */
  clock: () => number;
  random: () => number;
  policy: RetryPolicy;
  leaseMs: number;
}

export interface DispatcherOptions {
  clock?: () => number;
  random?: () => number;
  policy?: RetryPolicy;
  transport?: EmailTransport;
  /** SendGrid request timeout. */
  timeoutMs?: number;
  leaseMs?: number;
}

/** A dispatcher for these services: SendGrid when configured, else the dev outbox. */
export function createDispatcher(
  services: { kv: Deno.Kv; config: Config },
  options: DispatcherOptions = {},
): Dispatcher {
  const { config } = services;
  const transport = options.transport ??
    (config.sendgrid
      ? createSendgridTransport(config.sendgrid, { timeoutMs: options.timeoutMs })
      : createDevOutboxTransport());
  return {
    kv: services.kv,
    config,
    transport,
    queueMode: config.queueMode,
    clock: options.clock ?? Date.now,
    random: options.random ?? Math.random,
    policy: options.policy ?? DEFAULT_RETRY_POLICY,
    leaseMs: Math.min(options.leaseMs ?? LEASE_MS, LEASE_MS),
  };
}

export type DispatchResult = "skipped" | "accepted" | "delivered" | "queued" | "failed" | "dead";

/**
 * Sends one delivery if it can be claimed now; safe to call from any number of workers at once.
 *
 * @example
 * await dispatchDelivery(dispatcher, message.deliveryId);
 */
export async function dispatchDelivery(d: Dispatcher, id: string): Promise<DispatchResult> {
  const started = d.clock();
  const t0 = performance.now();
  const prepared: { email?: EmailToSend; storedWithClaim: boolean } = { storedWithClaim: false };
  // Rendering runs before the claim commits, so that a fresh rendering is stored by the claim
  // commit itself: only the worker that wins the claim stores it, before its first send.
  const claimed = await claimDelivery(d.kv, id, started, d.leaseMs, async (record) => {
    const email = prepared.email = await emailFor(d, record);
    if (!email.ok || email.stored) return undefined;
    return (op) => {
      prepared.storedWithClaim = addDeliveryEmailMutations(op, id, email.email);
    };
  });
  const email = prepared.email;
  if (!claimed || !email) return "skipped";
  if (email.ok && !email.stored && !prepared.storedWithClaim) {
    await storeDeliveryEmail(d.kv, id, email.email); // too large to join the claim
  }
  const result: SendResult = email.ok
    ? await d.transport.send(email.email)
    : { ok: false, permanent: true, error: email.error };
  const now = d.clock();
  const outcome = outcomeFor(
    result,
    d.transport.name,
    attemptsInSeries(claimed.record),
    d.policy,
    now,
    d.random,
  );
  const attempt = {
    at: new Date(started).toISOString(),
    durationMs: Math.round(performance.now() - t0),
    httpStatus: result.httpStatus,
    error: result.ok ? undefined : result.error,
    messageId: result.ok ? result.messageId : undefined,
  };
  const retryViaQueue = outcome.status === "queued" && d.queueMode === "kv";
  const done = await finishAttempt(d.kv, claimed, attempt, outcome, {
    now,
    enqueueDelayMs: retryViaQueue && "dueAt" in outcome ? outcome.dueAt - now : undefined,
    // The latency histogram rides on the result's commit instead of a commit of its own.
    also: (op) => addDispatchLatency(op, attempt.durationMs),
  });
  log.info("delivery attempt", {
    deliveryId: id,
    requestId: claimed.record.requestId,
    eventId: claimed.record.eventId,
    trigger: claimed.record.trigger,
    attempt: attemptsInSeries(claimed.record) + 1,
    status: done ? outcome.status : "lease_lost",
    httpStatus: attempt.httpStatus,
    durationMs: attempt.durationMs,
    transport: d.transport.name,
  });
  if (!done) await observeDispatchLatency(d.kv, attempt.durationMs).catch(() => {});
  if (done && outcome.status === "dead") await noteDeadDelivery(d.kv, id, alertSettings(d.config));
  return done ? outcome.status : "skipped";
}

type EmailToSend = { ok: true; email: OutgoingEmail; stored: boolean } | {
  ok: false;
  error: string;
};

/** The stored email, or a fresh rendering (not stored yet). */
async function emailFor(d: Dispatcher, record: DeliveryRecord): Promise<EmailToSend> {
  const stored = await readDeliveryEmail<OutgoingEmail>(d.kv, record.id);
  if (stored) return { ok: true, email: stored, stored: true };
  const composed = await composeDeliveryEmail(d.kv, d.config, record, new Date(d.clock()));
  return composed.ok ? { ...composed, stored: false } : composed;
}
