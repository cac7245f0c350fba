/**
 * The fake SendGrid (tests/fakes/sendgrid.ts) failing about `rate` of all requests: 429 with
 * Retry-After, 500, hangs past the client's timeout and connections dropped mid-answer. Each
 * email fails at most `maxFailuresPerEmail` times in a row, so the real retry schedule (5 s,
 * 20 s, …) finishes within the soak instead of a day. Every answer is logged with its time.
 * @module
 */
import {
  type FakeSendgrid,
  type FakeStep,
  type RecordedRequest,
  startFakeSendgrid,
} from "../fakes/sendgrid.ts";

/** A request as the fake recorded it, with the time it arrived. */
export type TimedRequest = RecordedRequest & { at?: number };

export interface SendLogEntry {
  deliveryId: string;
  at: number;
  step: FakeStep["kind"];
}

export interface FailingSendgrid {
  fake: FakeSendgrid;
  log: SendLogEntry[];
  close(): Promise<void>;
}

const FAILURES: FakeStep[] = [
  { kind: "rate_limit", retryAfterSeconds: 1 },
  { kind: "server_error" },
  { kind: "hang" },
  { kind: "drop" },
];

export function startFailingSendgrid(rate: number, maxFailuresPerEmail: number): FailingSendgrid {
  const fake = startFakeSendgrid();
  const failures = new Map<string, number>();
  const log: SendLogEntry[] = [];
  // onRequest runs before the fake picks its step: the step scripted here answers this request.
  fake.onRequest = (request) => {
    const deliveryId = request.body.custom_args?.delivery_id ?? "(none)";
    const failed = failures.get(deliveryId) ?? 0;
    const step: FakeStep = failed < maxFailuresPerEmail && Math.random() < rate
      ? FAILURES[Math.floor(Math.random() * FAILURES.length)]
      : { kind: "accept" };
    if (step.kind !== "accept") failures.set(deliveryId, failed + 1);
    fake.script(step);
    (request as TimedRequest).at = Date.now();
    log.push({ deliveryId, at: Date.now(), step: step.kind });
  };
  return { fake, log, close: () => fake.close() };
}
