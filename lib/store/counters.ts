/**
 * Counters kept with KV `sum` mutations, so dashboards and health never count by scanning.
 * Owns the `["counter", …]` keys.
 * @module
 */

export type CounterKey = readonly ["counter", ...Deno.KvKeyPart[]];

const ONE = 1n;
/** Adding 2^64 − 1 wraps around: KV's way to subtract one. */
const MINUS_ONE = 0xffff_ffff_ffff_ffffn;

/** Adds `delta` (±1) to a counter inside an atomic operation. */
export function adjustCounter(op: Deno.AtomicOperation, key: CounterKey, delta: 1 | -1): void {
  op.sum(key as Deno.KvKey, delta === 1 ? ONE : MINUS_ONE);
}

/** Reads counters (at most 10 per call, KV's getMany limit) as numbers; missing is 0. */
export async function readCounters(
  kv: Deno.Kv,
  keys: readonly CounterKey[],
): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < keys.length; i += 10) {
    const batch = await kv.getMany<Deno.KvU64[]>(keys.slice(i, i + 10) as Deno.KvKey[]);
    values.push(...batch.map((e) => (e.value ? Number(BigInt.asIntN(64, e.value.value)) : 0)));
  }
  return values;
}

/** Lists every counter under a prefix, e.g. all `["counter", "events", trigger]`. */
export async function listCounters(
  kv: Deno.Kv,
  prefix: CounterKey,
  limit?: number,
): Promise<{ key: Deno.KvKey; value: number }[]> {
  const out: { key: Deno.KvKey; value: number }[] = [];
  for await (const e of kv.list<Deno.KvU64>({ prefix: prefix as Deno.KvKey }, { limit })) {
    out.push({ key: e.key, value: Number(BigInt.asIntN(64, e.value.value)) });
  }
  return out;
}
