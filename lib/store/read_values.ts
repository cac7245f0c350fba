/**
 * KV's `getMany` reads at most 10 keys; lists of records by id need any number of them.
 * @module
 */

const GET_MANY_LIMIT = 10;

/**
 * The values at `keys`, in order, leaving out missing ones. Batches are read concurrently.
 *
 * @example
 * const events = await readValues<EventRecord>(kv, ids.map(eventKey));
 */
export async function readValues<T>(kv: Deno.Kv, keys: readonly Deno.KvKey[]): Promise<T[]> {
  const batches: Deno.KvKey[][] = [];
  for (let i = 0; i < keys.length; i += GET_MANY_LIMIT) {
    batches.push(keys.slice(i, i + GET_MANY_LIMIT));
  }
  const results = await Promise.all(batches.map((batch) => kv.getMany<T[]>(batch)));
  return results.flat().flatMap((entry) => (entry.value === null ? [] : [entry.value]));
}
