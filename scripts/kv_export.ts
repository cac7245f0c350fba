/**
 * Backup and restore of the app's KV as NDJSON, one entry a line, against the configured
 * `KV_PATH`: a local file, or a KV Connect URL (Deno Deploy's database or a self-hosted denokv,
 * with `DENO_KV_ACCESS_TOKEN`).
 *
 *   deno task kv:export > backup.ndjson
 *   deno task kv:import < backup.ndjson      (into an empty database only)
 *
 * Bytes, 64-bit counters, bigints and dates are tagged so they come back as they were. Short-lived
 * sign-in records (sessions, set-up links, throttling) are left out: they expire anyway, and a
 * restore must not revive them.
 * @module
 */
import { configOrExit, openKv } from "../lib/startup.ts";

export const SKIPPED_PREFIXES = ["session", "setup_token", "login_failure"];
const BATCH = 10; // ≤ 10 values of ≤ 64 KiB stay far inside one commit's 800 KiB

type Tagged = { $kv: "bytes" | "u64" | "bigint" | "date"; v: string };

function toBase64(bytes: Uint8Array): string {
  return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
}

/** A JSON-safe copy of a KV key or value; throws on types a restore could not rebuild. */
export function encodeValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $kv: "bytes", v: toBase64(value) } satisfies Tagged;
  if (value instanceof Deno.KvU64) return { $kv: "u64", v: String(value.value) } satisfies Tagged;
  if (typeof value === "bigint") return { $kv: "bigint", v: String(value) } satisfies Tagged;
  if (value instanceof Date) return { $kv: "date", v: value.toISOString() } satisfies Tagged;
  if (Array.isArray(value)) return value.map(encodeValue);
  if (value !== null && typeof value === "object") {
    if (Object.getPrototypeOf(value) !== Object.prototype) {
      throw new TypeError(`cannot export a ${value.constructor?.name ?? "non-plain"} object`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeValue(v)]));
  }
  return value;
}

export function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value === null || typeof value !== "object") return value;
  const tagged = value as Partial<Tagged>;
  if (typeof tagged.$kv === "string" && typeof tagged.v === "string") {
    const v = tagged.v;
    if (tagged.$kv === "bytes") return Uint8Array.from(atob(v), (c) => c.charCodeAt(0));
    if (tagged.$kv === "u64") return new Deno.KvU64(BigInt(v));
    if (tagged.$kv === "bigint") return BigInt(v);
    if (tagged.$kv === "date") return new Date(v);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeValue(v)]));
}

/** Writes every entry (but the skipped prefixes) as `{"key":[…],"value":…}` lines. */
export async function exportKv(kv: Deno.Kv, write: (line: string) => Promise<void>) {
  let count = 0;
  for await (const entry of kv.list({ prefix: [] })) {
    if (SKIPPED_PREFIXES.includes(String(entry.key[0]))) continue;
    await write(JSON.stringify({ key: encodeValue(entry.key), value: encodeValue(entry.value) }));
    count++;
  }
  return count;
}

/** Restores lines from {@link exportKv} into an empty database, ten entries a commit. */
export async function importKv(kv: Deno.Kv, lines: AsyncIterable<string>): Promise<number> {
  for await (const _ of kv.list({ prefix: [] }, { limit: 1 })) {
    throw new Error("the target database is not empty; restore into a new one");
  }
  let batch: { key: Deno.KvKey; value: unknown }[] = [];
  let count = 0;
  const flush = async () => {
    const op = kv.atomic();
    for (const e of batch) op.check({ key: e.key, versionstamp: null }).set(e.key, e.value);
    if (!(await op.commit()).ok) throw new Error("an entry appeared while restoring");
    count += batch.length;
    batch = [];
  };
  for await (const line of lines) {
    if (!line.trim()) continue;
    const { key, value } = JSON.parse(line);
    batch.push({ key: decodeValue(key) as Deno.KvKey, value: decodeValue(value) });
    if (batch.length === BATCH) await flush();
  }
  if (batch.length) await flush();
  return count;
}

async function* stdinLines(): AsyncIterable<string> {
  let rest = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    yield* parts;
  }
  if (rest) yield rest;
}

if (import.meta.main) {
  const command = Deno.args[0];
  if (command !== "export" && command !== "import") {
    console.error(
      "usage: deno task kv:export > backup.ndjson | deno task kv:import < backup.ndjson",
    );
    Deno.exit(2);
  }
  const kv = await openKv(configOrExit());
  const encoder = new TextEncoder();
  const writer = Deno.stdout.writable.getWriter();
  try {
    const count = command === "export"
      ? await exportKv(kv, (line) => writer.write(encoder.encode(line + "\n")))
      : await importKv(kv, stdinLines());
    console.error(`${command === "export" ? "exported" : "imported"} ${count} entries`);
  } catch (err) {
    console.error(`kv:${command}: ${(err as Error).message}`);
    Deno.exitCode = 1;
  } finally {
    writer.releaseLock();
    kv.close();
  }
}
