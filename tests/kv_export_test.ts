/** Backups: an export restored into a new database gives back every entry, types included. */
import assert from "node:assert/strict";
import { decodeValue, encodeValue, exportKv, importKv } from "@/scripts/kv_export.ts";

async function* linesOf(lines: string[]) {
  yield* lines;
}

Deno.test("[kv:export] an export restores every entry with its types", async () => {
  const source = await Deno.openKv(":memory:");
  const target = await Deno.openKv(":memory:");
  try {
    const value = {
      body: new Uint8Array([0, 255, 10, 13]),
      at: new Date("2026-01-02T03:04:05.000Z"),
      big: 2n ** 70n,
      nested: [{ ok: true, n: 1.5, none: null }],
    };
    await source.set(["event", "01J"], value);
    await source.set(["counter", "events", "all"], new Deno.KvU64(42n));
    await source.set(["event_body", "digest", 0], new Uint8Array([1, 2, 3]));
    await source.set(["session", "digest"], { user: "x" }); // short-lived: not exported
    const lines: string[] = [];
    const exported = await exportKv(source, (line) => Promise.resolve(void lines.push(line)));
    assert.equal(exported, 3);
    assert.equal(await importKv(target, linesOf(lines)), 3);
    assert.deepEqual((await target.get(["event", "01J"])).value, value);
    assert.equal((await target.get<Deno.KvU64>(["counter", "events", "all"])).value?.value, 42n);
    assert.deepEqual(
      (await target.get(["event_body", "digest", 0])).value,
      new Uint8Array([1, 2, 3]),
    );
    assert.equal((await target.get(["session", "digest"])).versionstamp, null);
    await assert.rejects(importKv(target, linesOf(lines)), /not empty/);
  } finally {
    source.close();
    target.close();
  }
});

Deno.test("[kv:export] keys keep their part types; unknown objects are refused", () => {
  const key = ["booking_due", 1700000000000, 5n, new Uint8Array([7]), true];
  assert.deepEqual(decodeValue(JSON.parse(JSON.stringify(encodeValue(key)))), key);
  assert.throws(() => encodeValue({ m: new Map() }), /Map/);
});
