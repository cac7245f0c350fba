/**
 * Group commit for the ingest path. KV's local backend has one SQLite writer and every commit
 * pays a fixed cost on it, so webhooks that arrive while a commit is in flight are merged into
 * the next single `kv.atomic()`. Each event still becomes visible in exactly one atomic commit
 * together with its booking, outbox and index records; a group lands whole or not at all.
 *
 * Nothing waits for company: with one webhook in flight its commit goes out at once. Members
 * whose checks touch the same keys never share a group (both checks would pass against the same
 * state), and a group whose commit fails is re-sent one member at a time, so each caller gets
 * the answer its own operation would have got.
 * @module
 */

type Step = (op: Deno.AtomicOperation) => void;

/** KV's per-commit limits (1000 mutations, 100 checks, 800 KiB, 80 KiB of keys) with margin. */
const GROUP_LIMITS = { mutations: 900, checks: 90, bytes: 600 * 1024, keyBytes: 60 * 1024 };
const MAX_GROUP_MEMBERS = 32;

/**
 * An atomic operation written down instead of sent, so that several can be sent as one.
 * `commit()` joins the next group commit of its KV handle.
 */
export class GroupedAtomic implements Deno.AtomicOperation {
  readonly steps: Step[] = [];
  /** Keys this operation's checks guard; no other member of its group may check or write them. */
  readonly checkedKeys = new Set<string>();
  readonly writtenKeys = new Set<string>();
  readonly size = { mutations: 0, checks: 0, bytes: 0, keyBytes: 0 };

  constructor(private readonly committer: GroupCommitter) {}

  check(...checks: Deno.AtomicCheck[]): this {
    for (const c of checks) {
      this.checkedKeys.add(keyText(c.key));
      this.size.checks++;
      this.size.keyBytes += keyBytes(c.key);
    }
    return this.#step((op) => op.check(...checks));
  }

  mutate(...mutations: Deno.KvMutation[]): this {
    for (const m of mutations) {
      this.#count(
        m.key,
        "value" in m ? m.value : undefined,
        m.type === "set" || m.type === "delete",
      );
    }
    return this.#step((op) => op.mutate(...mutations));
  }

  sum(key: Deno.KvKey, n: bigint): this {
    this.#count(key, n, false);
    return this.#step((op) => op.sum(key, n));
  }

  min(key: Deno.KvKey, n: bigint): this {
    this.#count(key, n, false);
    return this.#step((op) => op.min(key, n));
  }

  max(key: Deno.KvKey, n: bigint): this {
    this.#count(key, n, false);
    return this.#step((op) => op.max(key, n));
  }

  set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }): this {
    this.#count(key, value, true);
    return this.#step((op) => op.set(key, value, options));
  }

  delete(key: Deno.KvKey): this {
    this.#count(key, undefined, true);
    return this.#step((op) => op.delete(key));
  }

  enqueue(
    value: unknown,
    options?: { delay?: number; keysIfUndelivered?: Deno.KvKey[]; backoffSchedule?: number[] },
  ): this {
    this.size.mutations++;
    this.size.bytes += valueBytes(value);
    return this.#step((op) => op.enqueue(value, options));
  }

  commit(): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
    return this.committer.commit(this);
  }

  /** Replays the written-down steps onto a real operation. */
  applyTo(op: Deno.AtomicOperation): Deno.AtomicOperation {
    for (const step of this.steps) step(op);
    return op;
  }

  #step(step: Step): this {
    this.steps.push(step);
    return this;
  }

  /** Sums, min and max commute, so they never conflict; sets and deletes are tracked. */
  #count(key: Deno.KvKey, value: unknown, tracked: boolean): void {
    const keySize = keyBytes(key);
    this.size.mutations++;
    this.size.keyBytes += keySize;
    this.size.bytes += keySize + valueBytes(value);
    if (tracked) this.writtenKeys.add(keyText(key));
  }
}

interface Pending {
  op: GroupedAtomic;
  resolve: (result: Deno.KvCommitResult | Deno.KvCommitError) => void;
  reject: (error: unknown) => void;
}

/** Sends the grouped operations of one KV handle, one group commit at a time. */
export class GroupCommitter {
  #waiting: Pending[] = [];
  #running = false;
  /**
   * Shrinks when a group is refused outright (a backend with lower limits than Deno KV's, e.g.
   * self-hosted denokv's 10 checks), so later groups fit instead of failing and being re-sent.
   */
  #maxMembers = MAX_GROUP_MEMBERS;

  constructor(private readonly kv: Deno.Kv) {}

  commit(op: GroupedAtomic): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ op, resolve, reject });
      if (!this.#running) this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiting.length > 0) await this.#send(this.#takeGroup());
    } finally {
      this.#running = false;
    }
  }

  /** The longest run of waiting members, in arrival order, that fit one commit without conflicts. */
  #takeGroup(): Pending[] {
    const group: Pending[] = [];
    const total = { mutations: 0, checks: 0, bytes: 0, keyBytes: 0 };
    const checked = new Set<string>();
    const written = new Set<string>();
    const rest: Pending[] = [];
    for (const pending of this.#waiting) {
      const { op } = pending;
      const fits = group.length === 0 ||
        (group.length < this.#maxMembers && withinLimits(total, op.size) &&
          !conflicts(op, checked, written));
      if (!fits || rest.length > 0) {
        rest.push(pending); // later arrivals never overtake an earlier one left out
        continue;
      }
      group.push(pending);
      for (const name of Object.keys(total) as (keyof typeof total)[]) total[name] += op.size[name];
      op.checkedKeys.forEach((k) => checked.add(k));
      op.writtenKeys.forEach((k) => written.add(k));
    }
    this.#waiting = rest;
    return group;
  }

  async #send(group: Pending[]): Promise<void> {
    if (group.length > 1) {
      try {
        const op = this.kv.atomic();
        for (const { op: member } of group) member.applyTo(op);
        const result = await op.commit();
        if (result.ok) return group.forEach((p) => p.resolve(result));
      } catch (err) {
        // A per-commit limit the estimate missed ("Too many checks (max 10)", "Total mutation
        // size too large"): smaller groups from now on. A member's own fault ("Value too large")
        // or an unreachable KV leaves the size alone. Either way each member is tried alone below.
        if (isCommitLimit(err)) this.#maxMembers = Math.max(1, Math.floor(group.length / 2));
      }
    }
    // One member, or a group that failed: which check failed is unknown, so each alone.
    for (const pending of group) {
      try {
        pending.resolve(await pending.op.applyTo(this.kv.atomic()).commit());
      } catch (err) {
        pending.reject(err);
      }
    }
  }
}

const committers = new WeakMap<Deno.Kv, GroupCommitter>();

/**
 * An atomic operation on `kv` that commits together with others started while a commit is in
 * flight. Use it like `kv.atomic()`.
 */
export function groupedAtomic(kv: Deno.Kv): GroupedAtomic {
  let committer = committers.get(kv);
  if (!committer) committers.set(kv, committer = new GroupCommitter(kv));
  return new GroupedAtomic(committer);
}

function withinLimits(total: GroupedAtomic["size"], add: GroupedAtomic["size"]): boolean {
  return total.mutations + add.mutations <= GROUP_LIMITS.mutations &&
    total.checks + add.checks <= GROUP_LIMITS.checks &&
    total.bytes + add.bytes <= GROUP_LIMITS.bytes &&
    total.keyBytes + add.keyBytes <= GROUP_LIMITS.keyBytes;
}

/** A member conflicts when its checks guard a key the group touches, or it writes one they guard. */
function conflicts(op: GroupedAtomic, checked: Set<string>, written: Set<string>): boolean {
  for (const key of op.checkedKeys) if (checked.has(key) || written.has(key)) return true;
  for (const key of op.writtenKeys) if (checked.has(key)) return true;
  return false;
}

function isCommitLimit(err: unknown): boolean {
  return err instanceof TypeError && /^(Too many|Total)/.test(err.message);
}

function keyText(key: Deno.KvKey): string {
  return key.map((part) => `${typeof part}:${String(part)}`).join("\u0000");
}

function keyBytes(key: Deno.KvKey): number {
  let bytes = 2;
  for (const part of key) bytes += valueBytes(part) + 2;
  return bytes;
}

/** Strings with nothing above U+007F take one byte per character in KV's encoding. */
const NON_ASCII = /[\u0080-\uffff]/;

/** An upper estimate of a value's serialized size, without serializing it. */
function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === "boolean") return 1;
  if (typeof value === "string") {
    return (NON_ASCII.test(value) ? value.length * 3 : value.length) + 5;
  }
  if (typeof value === "number" || typeof value === "bigint") return 17;
  if (value instanceof Uint8Array) return value.byteLength + 5;
  if (value instanceof Deno.KvU64) return 17;
  if (value instanceof Date) return 9;
  if (Array.isArray(value)) {
    let bytes = 5;
    for (const item of value) bytes += valueBytes(item);
    return bytes;
  }
  if (typeof value === "object") {
    let bytes = 5;
    for (const [name, item] of Object.entries(value)) {
      bytes += name.length * 3 + 5 + valueBytes(item);
    }
    return bytes;
  }
  return 64;
}
