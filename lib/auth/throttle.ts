/**
 * Sign-in throttling. Owns `["login_failure", "account" | "client", id]`: the times of recent
 * failed sign-ins per account email (known or not, so both look alike) and per client address.
 * After `maxFailures` within `windowMs` on either, sign-in is refused until the oldest of them
 * leaves the window. An attempt is recorded *before* its password is checked, so a burst of
 * parallel guesses cannot slip past the limit; a success takes its record back.
 * @module
 */

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
}

export const THROTTLE_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60 * 1000 };

export interface LoginAttempt {
  /** Normalised email as typed. */
  email: string;
  /** `clientId(remoteAddr)`. */
  client: string;
  at: number;
}

export type ThrottleDecision = { throttled: false } | { throttled: true; retryAfterMs: number };

const accountKey = (email: string) => ["login_failure", "account", email.slice(0, 320)] as const;
const clientKey = (client: string) => ["login_failure", "client", client] as const;

/**
 * The identity a client is throttled under: its IPv4 address, or the /64 of an IPv6 address
 * (one host usually owns a whole /64).
 */
export function clientId(hostname: string): string {
  if (!hostname.includes(":")) return hostname;
  const address = hostname.replace(/^\[|\]$/g, "");
  // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d: all of them in one /64.
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  const [head, tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [
    ...left,
    ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"),
    ...right,
  ];
  return groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, "")).join(":") + "::/64";
}

const recent = (times: number[] | null, now: number, policy: ThrottlePolicy) =>
  (times ?? []).filter((t) => t > now - policy.windowMs && t <= now);

/** How long until `times` holds fewer than `maxFailures` recent entries (0: not throttled). */
function waitFor(times: number[], now: number, policy: ThrottlePolicy): number {
  if (times.length < policy.maxFailures) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[sorted.length - policy.maxFailures] + policy.windowMs - now;
}

/**
 * Refuses the attempt when the account or the client is throttled; otherwise records it as a
 * failure until `loginSucceeded` says otherwise.
 * @example
 * const decision = await beginLoginAttempt(kv, { email, client, at: Date.now() });
 */
export async function beginLoginAttempt(
  kv: Deno.Kv,
  attempt: LoginAttempt,
  policy = THROTTLE_POLICY,
): Promise<ThrottleDecision> {
  const keys = [accountKey(attempt.email), clientKey(attempt.client)];
  for (let round = 0; round < 20; round++) {
    const entries = await kv.getMany<number[][]>(keys);
    const lists = entries.map((e) => recent(e.value, attempt.at, policy));
    const retryAfterMs = Math.max(...lists.map((times) => waitFor(times, attempt.at, policy)));
    if (retryAfterMs > 0) return { throttled: true, retryAfterMs };
    const op = kv.atomic();
    entries.forEach((entry, i) => {
      const times = [...lists[i], attempt.at].slice(-policy.maxFailures);
      op.check(entry).set(entry.key, times, { expireIn: policy.windowMs });
    });
    if ((await op.commit()).ok) return { throttled: false };
  }
  // Under heavy contention the answer is the safe one.
  return { throttled: true, retryAfterMs: 1000 };
}

/** A successful sign-in clears the account's failures and takes back its own client record. */
export async function loginSucceeded(
  kv: Deno.Kv,
  attempt: LoginAttempt,
  policy = THROTTLE_POLICY,
): Promise<void> {
  await kv.delete(accountKey(attempt.email));
  for (let round = 0; round < 5; round++) {
    const entry = await kv.get<number[]>(clientKey(attempt.client));
    if (!entry.value) return;
    const times = [...entry.value];
    const index = times.indexOf(attempt.at);
    if (index === -1) return;
    times.splice(index, 1);
    const op = kv.atomic().check(entry);
    if (times.length) op.set(entry.key, times, { expireIn: policy.windowMs });
    else op.delete(entry.key);
    if ((await op.commit()).ok) return;
  }
}

/** Forgets an account's failures (password reset by an admin or the CLI). */
export async function clearAccountFailures(kv: Deno.Kv, email: string): Promise<void> {
  await kv.delete(accountKey(email));
}
