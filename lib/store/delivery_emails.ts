/**
 * The rendered email of a delivery, exactly as handed to the transport: stored once before the
 * first send (inside the dispatcher's claim commit when it fits), reused by retries and resends,
 * and shown by the admin's outbox preview. JSON text in chunks, since HTML with long form
 * answers can pass one KV value's 64 KiB.
 * Owns `["delivery_email", id, n]` and `["delivery_email_meta", id]`.
 * @module
 */

const CHUNK = 60_000;
/** Ten chunks (600 kB) per commit stay under the 800 KiB atomic limit. */
const CHUNKS_PER_COMMIT = 10;

interface EmailMeta {
  chunks: number;
  bytes: number;
  storedAt: string;
}

const metaKey = (id: string) => ["delivery_email_meta", id] as const;

/**
 * An email of up to this many chunks (480 kB) joins another commit (the dispatcher's claim),
 * which then stays under the 800 KiB atomic limit with a delivery record (≤ 64 KiB) beside it.
 */
const JOINED_CHUNKS_MAX = 8;

function encodeEmail<T>(email: T): { bytes: Uint8Array; count: number } {
  const bytes = new TextEncoder().encode(JSON.stringify(email));
  return { bytes, count: Math.max(1, Math.ceil(bytes.byteLength / CHUNK)) };
}

const metaOf = (bytes: Uint8Array, count: number): EmailMeta => ({
  chunks: count,
  bytes: bytes.byteLength,
  storedAt: new Date().toISOString(),
});

function addChunks(
  op: Deno.AtomicOperation,
  id: string,
  bytes: Uint8Array,
  from: number,
  to: number,
) {
  for (let n = from; n < to; n++) {
    op.set(["delivery_email", id, n], bytes.subarray(n * CHUNK, (n + 1) * CHUNK));
  }
}

/**
 * Adds a rendered email to an atomic operation (chunks and meta together, so a reader sees the
 * whole email or none). Returns false, adding nothing, when the email is too large to share a
 * commit: store it with `storeDeliveryEmail` instead.
 */
export function addDeliveryEmailMutations<T>(
  op: Deno.AtomicOperation,
  id: string,
  email: T,
): boolean {
  const { bytes, count } = encodeEmail(email);
  if (count > JOINED_CHUNKS_MAX) return false;
  addChunks(op, id, bytes, 0, count);
  op.set(metaKey(id), metaOf(bytes, count));
  return true;
}

/**
 * Stores a rendered email for a delivery in commits of its own. The meta record commits last,
 * so a reader sees either the whole email or none; a second writer (a retry after a crash)
 * writes the same bytes.
 */
export async function storeDeliveryEmail<T>(kv: Deno.Kv, id: string, email: T): Promise<void> {
  const { bytes, count } = encodeEmail(email);
  for (let first = 0; first < count; first += CHUNKS_PER_COMMIT) {
    const op = kv.atomic();
    addChunks(op, id, bytes, first, Math.min(count, first + CHUNKS_PER_COMMIT));
    if (!(await op.commit()).ok) throw new Error("storing the rendered email failed");
  }
  await kv.set(metaKey(id), metaOf(bytes, count));
}

/** The stored email of a delivery, or null when it was never rendered. */
export async function readDeliveryEmail<T>(kv: Deno.Kv, id: string): Promise<T | null> {
  const meta = (await kv.get<EmailMeta>(metaKey(id))).value;
  if (!meta) return null;
  const bytes = new Uint8Array(meta.bytes);
  let offset = 0;
  for await (const e of kv.list<Uint8Array>({ prefix: ["delivery_email", id] })) {
    if ((e.key[2] as number) >= meta.chunks) break;
    bytes.set(e.value, offset);
    offset += e.value.byteLength;
  }
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}
