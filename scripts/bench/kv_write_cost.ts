/**
 * What a KV commit costs on this machine, by kind of mutation: the fixed cost of one commit
 * (baseline (c)'s set + enqueue) and what 30 more mutations of each kind add, alone and when
 * 12 such commits are merged into one. The evidence behind "what limits ingest" in
 * BENCHMARKS.md: the ingest commit's cost is its new keys, not the commit around them.
 *
 *   deno run -A scripts/bench/kv_write_cost.ts
 * @module
 */

type Build = (op: Deno.AtomicOperation) => void;

const BODY = new Uint8Array(2_600);
const MUTATIONS = 30;
let sequence = 0;
const uid = () => crypto.randomUUID();

/** Each shape adds MUTATIONS mutations of one kind to a commit. */
const SHAPES: Record<string, Build> = {
  "new keys, random (uids)": (op) => {
    for (let k = 0; k < MUTATIONS; k++) op.set(["random", uid()], null);
  },
  "new keys, time-ordered in 30 ranges (index-like)": (op) => {
    for (let k = 0; k < MUTATIONS; k++) op.set(["range", `r${k}`, sequence++], null);
  },
  "new keys, time-ordered in 1 range": (op) => {
    for (let k = 0; k < MUTATIONS; k++) op.set(["append", sequence++], null);
  },
  "overwrites of the same keys": (op) => {
    for (let k = 0; k < MUTATIONS; k++) op.set(["same", k], null);
  },
  "sums on 7 counters": (op) => {
    for (let k = 0; k < MUTATIONS; k++) op.sum(["counter", k % 7], 1n);
  },
  // KV allows 100 checks per commit, so 8 here (an ingest commit has 3).
  "8 checks (key absent)": (op) => {
    for (let k = 0; k < 8; k++) op.check({ key: ["absent", uid()], versionstamp: null });
  },
};

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function msPerCommit(kv: Deno.Kv, build: Build, perCommit: number, commits: number) {
  const times: number[] = [];
  for (let i = 0; i < commits; i++) {
    const op = kv.atomic();
    for (let n = 0; n < perCommit; n++) build(op);
    const started = performance.now();
    if (!(await op.commit()).ok) throw new Error("commit failed");
    times.push(performance.now() - started);
  }
  return median(times);
}

const dir = await Deno.makeTempDir({ prefix: "kv-write-cost-" });
try {
  const kv = await Deno.openKv(`${dir}/kv.sqlite3`);
  const base: Build = (op) => op.set(["event", uid()], BODY).enqueue({ n: 1 });
  const fixed = await msPerCommit(kv, base, 1, 400);
  console.log(`one commit, set of a 2.6 KB body + enqueue (baseline (c)): ${fixed.toFixed(3)} ms`);
  console.log(
    `what ${MUTATIONS} more mutations of one kind add, per commit (alone) and per merged commit:`,
  );
  for (const [name, shape] of Object.entries(SHAPES)) {
    const withShape: Build = (op) => (base(op), shape(op));
    const alone = await msPerCommit(kv, withShape, 1, 300) - fixed;
    const merged = await msPerCommit(kv, withShape, 12, 40) / 12 - fixed / 12;
    console.log(
      `  ${name.padEnd(50)} +${alone.toFixed(3)} ms alone · +${merged.toFixed(3)} ms each of 12`,
    );
  }
  kv.close();
} finally {
  await Deno.remove(dir, { recursive: true });
}
