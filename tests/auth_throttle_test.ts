import assert from "node:assert/strict";
import {
  beginLoginAttempt,
  clientId,
  loginSucceeded,
  THROTTLE_POLICY,
} from "@/lib/auth/throttle.ts";

const MINUTE = 60_000;

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("[auth] throttle: the 6th attempt within 15 minutes waits until the window passes", () =>
  withKv(async (kv) => {
    const start = Date.now();
    for (let i = 0; i < 5; i++) {
      const at = start + i * MINUTE;
      const decision = await beginLoginAttempt(kv, { email: "a@example.com", client: `c${i}`, at });
      assert.equal(decision.throttled, false);
    }
    const sixth = await beginLoginAttempt(kv, {
      email: "a@example.com",
      client: "c9",
      at: start + 5 * MINUTE,
    });
    assert.deepEqual(sixth, { throttled: true, retryAfterMs: 10 * MINUTE });
    // A throttled attempt is not recorded: hammering does not extend the wait.
    const stillWaiting = await beginLoginAttempt(kv, {
      email: "a@example.com",
      client: "c9",
      at: start + 15 * MINUTE - 1,
    });
    assert.deepEqual(stillWaiting, { throttled: true, retryAfterMs: 1 });
    const after = await beginLoginAttempt(kv, {
      email: "a@example.com",
      client: "c9",
      at: start + 15 * MINUTE,
    });
    assert.equal(after.throttled, false, "the oldest failure left the window");
  }));

Deno.test("[auth] throttle: a burst of parallel attempts cannot pass the limit", () =>
  withKv(async (kv) => {
    const at = Date.now();
    const decisions = await Promise.all(
      Array.from(
        { length: 20 },
        () => beginLoginAttempt(kv, { email: "b@example.com", client: "x", at }),
      ),
    );
    assert.equal(decisions.filter((d) => !d.throttled).length, THROTTLE_POLICY.maxFailures);
  }));

Deno.test("[auth] throttle: a success takes back its record", () =>
  withKv(async (kv) => {
    const at = Date.now();
    for (let i = 0; i < 4; i++) {
      await beginLoginAttempt(kv, { email: `u${i}@example.com`, client: "shared", at: at + i });
    }
    const ok = { email: "ok@example.com", client: "shared", at: at + 10 };
    assert.equal((await beginLoginAttempt(kv, ok)).throttled, false);
    await loginSucceeded(kv, ok);
    const next = await beginLoginAttempt(kv, {
      email: "z@example.com",
      client: "shared",
      at: at + 11,
    });
    assert.equal(next.throttled, false, "4 failures + 1 success is not 5 failures");
  }));

Deno.test("[auth] throttle: clients are IPv4 addresses or IPv6 /64s", () => {
  assert.equal(clientId("203.0.113.9"), "203.0.113.9");
  assert.equal(clientId("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assert.equal(clientId("2001:0db8:0001:0002:ffff:0:0:2"), "2001:db8:1:2::/64");
  assert.equal(clientId("[::1]"), "0:0:0:0::/64");
});

Deno.test("[auth] throttle: an IPv4-mapped IPv6 address is its IPv4 client, not one shared /64", () => {
  // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; all of them share ::/64.
  assert.equal(clientId("::ffff:203.0.113.9"), "203.0.113.9");
  assert.equal(clientId("[::FFFF:198.51.100.7]"), "198.51.100.7");
  assert.notEqual(clientId("::ffff:203.0.113.9"), clientId("::ffff:198.51.100.7"));
});
