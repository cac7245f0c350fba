/**
 * A dispatcher: everything one send needs (KV, configuration, transport, clock, schedule) and
 * the one operation all paths share: claim → render (once) → send → record.
 * The queue listener, the cron sweep and staff resends all end here.
 * @module
 */
import type { Config, QueueMode } from "../config.ts";
import { composeDeliveryEmail } from "../email/compose.ts";
import { createDevOutboxTransport } from "../email/dev_outbox.ts";
import { createSendgridTransport } from "../email/sendgrid.ts";
import type { EmailTransport, OutgoingEmail, SendResult } from "../email/types.ts";
import { alertSettings, noteDeadDelivery } from "../alerts/mod.ts";
import { log } from "../log.ts";
import { observeDispatchLatency } from "../observability/metrics.ts";
import {
  attemptsInSeries,
  claimDelivery,
  finishAttempt,
  type VersionedDelivery,
} from "../store/delivery_transitions.ts";
import { readDeliveryEmail, storeDeliveryEmail } from "../store/delivery_emails.ts";
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
  const claimed = await claimDelivery(d.kv, id, d.clock(), d.leaseMs);
  if (!claimed) return "skipped";
  const started = d.clock();
  const t0 = performance.now();
  const email = await emailFor(d, claimed);
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
  await observeDispatchLatency(d.kv, attempt.durationMs).catch(() => {});
  if (done && outcome.status === "dead") await noteDeadDelivery(d.kv, id, alertSettings(d.config));
  return done ? outcome.status : "skipped";
}

/** The stored email, or a fresh rendering stored before its first send. */
async function emailFor(
  d: Dispatcher,
  claimed: VersionedDelivery,
): Promise<{ ok: true; email: OutgoingEmail } | { ok: false; error: string }> {
  const id = claimed.record.id;
  const stored = await readDeliveryEmail<OutgoingEmail>(d.kv, id);
  if (stored) return { ok: true, email: stored };
  const composed = await composeDeliveryEmail(d.kv, d.config, claimed.record, new Date(d.clock()));
  if (composed.ok) await storeDeliveryEmail(d.kv, id, composed.email);
  return composed;
}
