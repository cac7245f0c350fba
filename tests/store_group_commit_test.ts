/**
 * Group commit: operations started while a commit is in flight share the next one, and each
 * caller still gets the answer its own operation would have got — on a real KV file.
 */
import assert from "node:assert/strict";
import { groupedAtomic } from "../lib/store/group_commit.ts";

/** A KV file and a count of the real `atomic()` operations sent to it. */
async function countingKv() {
  const dir = await Deno.makeTempDir({ prefix: "group-commit-" });
  const kv = await Deno.openKv(`${dir}/kv.sqlite3`);
  const sent = { commits: 0 };
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    sent.commits++;
    return atomic();
  };
  return {
    kv,
    sent,
    async [Symbol.asyncDispose]() {
      try {
        kv.close();
      } catch { /* closed by the test */ }
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("operations started together land in fewer commits than operations", async () => {
  await using store = await countingKv();
  const results = await Promise.all(
    Array.from(
      { length: 40 },
      (_, i) =>
        groupedAtomic(store.kv).check({ key: ["item", i], versionstamp: null })
          .set(["item", i], { i }).sum(["count"], 1n).commit(),
    ),
  );
  assert.ok(results.every((r) => r.ok));
  assert.equal((await store.kv.get<Deno.KvU64>(["count"])).value?.value, 40n);
  for (let i = 0; i < 40; i++) assert.deepEqual((await store.kv.get(["item", i])).value, { i });
  assert.ok(store.sent.commits < 40, `${store.sent.commits} commits for 40 operations`);
});

Deno.test("one operation alone commits at once, unchanged", async () => {
  await using store = await countingKv();
  const result = await groupedAtomic(store.kv).set(["solo"], "x").commit();
  assert.ok(result.ok);
  assert.equal(store.sent.commits, 1);
  assert.equal((await store.kv.get(["solo"])).versionstamp, result.ok ? result.versionstamp : "");
});

/** An operation that keeps the writer busy, so the ones started after it wait and group. */
const inFlight = (kv: Deno.Kv) => groupedAtomic(kv).set(["busy", crypto.randomUUID()], 1).commit();

Deno.test("operations guarding the same key never share a commit: exactly one wins", async () => {
  await using store = await countingKv();
  const results = await Promise.all([
    inFlight(store.kv),
    ...Array.from(
      { length: 12 },
      (_, i) =>
        groupedAtomic(store.kv).check({ key: ["claim"], versionstamp: null })
          .set(["claim"], i).sum(["claims"], 1n).commit(),
    ),
  ]);
  assert.equal(results.slice(1).filter((r) => r.ok).length, 1);
  assert.equal((await store.kv.get<Deno.KvU64>(["claims"])).value?.value, 1n);
});

Deno.test("an operation guarding a key another one writes waits for the next commit", async () => {
  await using store = await countingKv();
  const [, writer, guarded] = await Promise.all([
    inFlight(store.kv),
    groupedAtomic(store.kv).set(["k"], "plain").commit(),
    groupedAtomic(store.kv).check({ key: ["k"], versionstamp: null }).set(["k"], "guarded")
      .commit(),
  ]);
  assert.ok(writer.ok);
  assert.equal(guarded.ok, false, "its check saw the write");
  assert.equal((await store.kv.get(["k"])).value, "plain");
});

Deno.test("a member whose check fails does not take the others down with it", async () => {
  await using store = await countingKv();
  await store.kv.set(["taken"], "already");
  const results = await Promise.all([
    inFlight(store.kv),
    groupedAtomic(store.kv).set(["a"], 1).commit(),
    groupedAtomic(store.kv).check({ key: ["taken"], versionstamp: null }).set(["b"], 2).commit(),
    groupedAtomic(store.kv).set(["c"], 3).commit(),
    groupedAtomic(store.kv).set(["d"], 4).commit(),
  ]);
  assert.deepEqual(results.map((r) => r.ok), [true, true, false, true, true]);
  assert.equal((await store.kv.get(["b"])).versionstamp, null);
  const values = await store.kv.getMany([["a"], ["c"], ["d"]]);
  assert.deepEqual(values.map((e) => e.value), [1, 3, 4]);
});

Deno.test("a member KV refuses (value too large) fails alone; the rest land", async () => {
  await using store = await countingKv();
  const settled = await Promise.allSettled([
    inFlight(store.kv),
    groupedAtomic(store.kv).set(["x"], 1).commit(),
    groupedAtomic(store.kv).set(["big"], new Uint8Array(70_000)).commit(),
    groupedAtomic(store.kv).set(["y"], 2).commit(),
  ]);
  assert.deepEqual(settled.map((s) => s.status), [
    "fulfilled",
    "fulfilled",
    "rejected",
    "fulfilled",
  ]);
  assert.deepEqual((await store.kv.getMany([["x"], ["y"]])).map((e) => e.value), [1, 2]);
});

Deno.test("groups stay under KV's per-commit limits: 3,000 mutations in flight all land", async () => {
  await using store = await countingKv();
  const results = await Promise.all(
    Array.from({ length: 30 }, (_, i) => {
      const op = groupedAtomic(store.kv).check({ key: ["batch", i], versionstamp: null });
      for (let n = 0; n < 99; n++) op.set(["row", i, n], n);
      return op.set(["batch", i], true).commit();
    }),
  );
  assert.ok(results.every((r) => r.ok));
  let rows = 0;
  for await (const _ of store.kv.list({ prefix: ["row"] })) rows++;
  assert.equal(rows, 30 * 99);
  assert.ok(store.sent.commits >= 4, "at most ~9 such operations fit one commit");
});

Deno.test("a closed KV rejects every member, and the next commit still gets its answer", async () => {
  await using store = await countingKv();
  store.kv.close();
  const settled = await Promise.allSettled(
    [1, 2, 3].map((n) => groupedAtomic(store.kv).set(["p", n], n).commit()),
  );
  assert.deepEqual(settled.map((s) => s.status), ["rejected", "rejected", "rejected"]);
  const again = await Promise.allSettled([groupedAtomic(store.kv).set(["q"], 1).commit()]);
  assert.equal(again[0].status, "rejected");
});

/** Makes `kv` refuse commits with more than `max` checks, as self-hosted denokv does (10). */
function refuseCommitsOverChecks(kv: Deno.Kv, max: number) {
  const refused = { groups: 0 };
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const op = atomic();
    let checks = 0;
    const check = op.check.bind(op);
    op.check = (...added) => {
      checks += added.length;
      return check(...added);
    };
    const commit = op.commit.bind(op);
    op.commit = () => {
      if (checks <= max) return commit();
      refused.groups++;
      return Promise.reject(new TypeError(`Too many checks (max ${max})`));
    };
    return op;
  };
  return refused;
}

Deno.test("a backend that refuses large commits gets smaller groups, and every member lands", async () => {
  await using store = await countingKv();
  const refused = refuseCommitsOverChecks(store.kv, 10);
  const round = () =>
    Promise.all([
      inFlight(store.kv),
      ...Array.from({ length: 20 }, () => {
        const id = crypto.randomUUID();
        return groupedAtomic(store.kv).check({ key: ["row", id], versionstamp: null })
          .set(["row", id], 1).commit();
      }),
    ]);
  assert.ok((await round()).every((r) => r.ok));
  const refusedFirst = refused.groups;
  assert.ok(refusedFirst >= 1, "the first group was too large");
  assert.ok((await round()).every((r) => r.ok));
  assert.equal(refused.groups, refusedFirst, "later groups fit");
  let rows = 0;
  for await (const _ of store.kv.list({ prefix: ["row"] })) rows++;
  assert.equal(rows, 40);
});

Deno.test("one member's oversized value does not shrink the groups after it", async () => {
  await using store = await countingKv();
  const burst = (big: boolean) =>
    Promise.allSettled([
      inFlight(store.kv),
      ...Array.from({ length: 20 }, (_, i) =>
        groupedAtomic(store.kv).set(
          ["v", crypto.randomUUID()],
          big && i === 5 ? new Uint8Array(70_000) : 1,
        )
          .commit()),
    ]);
  await burst(true);
  const before = store.sent.commits;
  const settled = await burst(false);
  assert.ok(settled.every((s) => s.status === "fulfilled"));
  assert.ok(store.sent.commits - before <= 2, `${store.sent.commits - before} commits for 21`);
});
