/**
 * Reading lists of records: KV's `getMany` reads at most 10 keys, so lists by id batch it, and
 * admin pages walk a key prefix newest first, one page at a time.
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

/** One page of a key prefix, newest first; `cursor` is set only when the page came back full. */
export interface NewestPage<T> {
  entries: Deno.KvEntry<T>[];
  cursor?: string;
}

/**
 * The newest `limit` entries under `prefix`, resuming from `cursor`.
 *
 * @example
 * const { entries, cursor } = await listNewestFirst<EventRecord>(kv, ["event"], 50);
 */
export async function listNewestFirst<T>(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  limit: number,
  cursor?: string,
): Promise<NewestPage<T>> {
  const iter = kv.list<T>({ prefix }, { limit, reverse: true, cursor });
  const entries: Deno.KvEntry<T>[] = [];
  for await (const e of iter) entries.push(e);
  return { entries, cursor: entries.length === limit ? iter.cursor : undefined };
}
