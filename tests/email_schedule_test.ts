/** The retry schedule and SendGrid error classification, as pure functions. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_RETRY_POLICY, outcomeFor, retryDelayMs } from "@/lib/outbox/schedule.ts";
import { classifyError, retryAfterMs } from "@/lib/email/sendgrid.ts";
import { bookingSubject, headerSafe } from "@/lib/email/subject.ts";

const policy = DEFAULT_RETRY_POLICY;

Deno.test("[email-schedule] first retry within seconds, ten attempts over about a day", () => {
  const mid = () => 0.5;
  assert.equal(retryDelayMs(policy, 1, mid), 5_000);
  const total = Array.from(
    { length: policy.maxAttempts - 1 },
    (_, i) => retryDelayMs(policy, i + 1, mid),
  )
    .reduce((a, b) => a + b, 0);
  assert.ok(total > 20 * 3600_000 && total < 28 * 3600_000, `${total / 3600_000} h`);
});

Deno.test("[email-schedule] delays grow, stay within ±20 % jitter and the 8 h cap", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 30 }),
      fc.double({ min: 0, max: 0.999, noNaN: true }),
      (n, r) => {
        const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (n - 1));
        const delay = retryDelayMs(policy, n, () => r);
        return delay >= raw * 0.8 - 1 && delay <= raw * 1.2 + 1;
      },
    ),
  );
});

Deno.test("[email-schedule] outcomes: accepted, permanent, transient, 429, exhausted", () => {
  const now = 1_000_000;
  const r = () => 0.5;
  assert.deepEqual(
    outcomeFor({ ok: true, httpStatus: 202, messageId: "m" }, "sendgrid", 0, policy, now, r),
    {
      status: "accepted",
      messageId: "m",
      transport: "sendgrid",
    },
  );
  const permanent = outcomeFor(
    { ok: false, permanent: true, httpStatus: 400, error: "bad" },
    "sendgrid",
    0,
    policy,
    now,
    r,
  );
  assert.equal(permanent.status, "failed");
  const transient = outcomeFor(
    { ok: false, permanent: false, error: "network" },
    "sendgrid",
    0,
    policy,
    now,
    r,
  );
  assert.deepEqual(transient, { status: "queued", dueAt: now + 5_000, error: "network" });
  const limited = outcomeFor(
    { ok: false, permanent: false, httpStatus: 429, error: "429", retryAfterMs: 90_000 },
    "sendgrid",
    0,
    policy,
    now,
    r,
  );
  assert.equal(limited.status === "queued" && limited.dueAt, now + 90_000);
  const last = outcomeFor(
    { ok: false, permanent: false, error: "500" },
    "sendgrid",
    9,
    policy,
    now,
    r,
  );
  assert.equal(last.status, "dead");
});

Deno.test("[email-schedule] SendGrid errors: status classes, errors[].message, Retry-After forms", () => {
  for (const code of [400, 401, 403, 413]) {
    const c = classifyError({ code, response: { body: { errors: [{ message: "why" }] } } });
    assert.deepEqual(c, {
      ok: false,
      permanent: true,
      httpStatus: code,
      error: `HTTP ${code}: why`,
      retryAfterMs: undefined,
    });
  }
  for (const code of [429, 500, 502, 503]) {
    const c = classifyError({ code });
    assert.ok(!c.ok && !c.permanent, `${code} is transient`);
  }
  assert.deepEqual(classifyError({ code: "ECONNREFUSED" }), {
    ok: false,
    permanent: false,
    error: "network: ECONNREFUSED",
  });
  assert.equal(retryAfterMs({ "retry-after": "30" }), 30_000);
  assert.equal(retryAfterMs({ "retry-after": new Date(61_000).toUTCString() }, 1_000), 60_000);
  assert.equal(retryAfterMs({ "x-ratelimit-reset": "100" }, 40_000), 60_000);
  assert.equal(retryAfterMs({}), undefined);
});

Deno.test("[email-schedule] subjects never carry line breaks or control characters", () => {
  fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 400 }), (name) => {
    const subject = bookingSubject("New booking", name, "Mon, 1 Jan 2024, 11:00 CET");
    return Array.from(subject).length <= 150 &&
      Array.from(subject).every((ch) =>
        ch.charCodeAt(0) >= 0x20 && !"\u2028\u2029\u0085".includes(ch)
      );
  }));
  assert.equal(headerSafe("a\r\nb\u202ec"), "a b c");
});
