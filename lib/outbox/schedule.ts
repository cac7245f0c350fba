/**
 * The retry schedule: exponential backoff (×4 from 5 s, capped at 8 h) with ±20 % jitter, ten
 * attempts spread over about a day (5 s, 20 s, 80 s, 5 min, 21 min, 85 min, 5.7 h, 8 h, 8 h ≈
 * 23.6 h). A 429 waits at least as long as SendGrid asks. Pure: the clock and randomness come in.
 * @module
 */
import type { SendResult } from "../email/types.ts";
import type { AttemptOutcome } from "../store/delivery_transitions.ts";

export interface RetryPolicy {
  /** Delay after the first failed attempt. */
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** Attempts per series (the first one included) before a delivery is dead. */
  maxAttempts: number;
  /** ±fraction of each delay, so many failed emails do not retry in lockstep. */
  jitter: number;
  /** Longest wait a `Retry-After` may impose. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 5_000,
  factor: 4,
  maxDelayMs: 8 * 60 * 60_000,
  maxAttempts: 10,
  jitter: 0.2,
  maxRetryAfterMs: 6 * 60 * 60_000,
};

/**
 * Delay before the next attempt after `failures` failed attempts in this series (1 = first).
 *
 * @example
 * retryDelayMs(DEFAULT_RETRY_POLICY, 1, () => 0.5); // 5000
 */
export function retryDelayMs(policy: RetryPolicy, failures: number, random: () => number): number {
  const raw = policy.baseDelayMs * policy.factor ** Math.max(0, failures - 1);
  const capped = Math.min(policy.maxDelayMs, raw);
  return Math.round(capped * (1 + policy.jitter * (2 * random() - 1)));
}

/** What one failed or successful attempt leads to, given the attempts made so far. */
export function outcomeFor(
  result: SendResult,
  transport: string,
  failuresSoFar: number,
  policy: RetryPolicy,
  now: number,
  random: () => number,
): AttemptOutcome {
  if (result.ok) {
    return {
      status: result.delivered ? "delivered" : "accepted",
      messageId: result.messageId,
      transport,
    };
  }
  if (result.permanent) return { status: "failed", error: result.error };
  const failures = failuresSoFar + 1;
  if (failures >= policy.maxAttempts) {
    return { status: "dead", error: `${result.error} (gave up after ${failures} attempts)` };
  }
  const backoff = retryDelayMs(policy, failures, random);
  const asked = Math.min(result.retryAfterMs ?? 0, policy.maxRetryAfterMs);
  return { status: "queued", dueAt: now + Math.max(backoff, asked), error: result.error };
}
