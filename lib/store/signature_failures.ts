/**
 * Recent signature failures, for the webhooks page: time, reason and client address, kept a
 * week. Owns `["signature_failure", id]` and the `["counter", "signature_failures", …]`
 * counters. A flood of bad requests costs one small write each and expires by itself.
 * @module
 */
import type { SignatureProblem } from "../calcom/signature.ts";
import { adjustCounter } from "./counters.ts";
import { newId } from "./ids.ts";

const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface SignatureFailure {
  id: string;
  at: string;
  reason: SignatureProblem;
  client?: string;
}

export async function recordSignatureFailure(
  kv: Deno.Kv,
  reason: SignatureProblem,
  client?: string,
): Promise<void> {
  const now = new Date();
  const failure: SignatureFailure = {
    id: newId(now.getTime()),
    at: now.toISOString(),
    reason,
    client,
  };
  const op = kv.atomic().set(["signature_failure", failure.id], failure, {
    expireIn: RETENTION_MS,
  });
  adjustCounter(op, ["counter", "signature_failures", "all"], 1);
  adjustCounter(op, ["counter", "signature_failures", "day", failure.at.slice(0, 10)], 1);
  await op.commit();
}

/** Newest failures first. */
export async function listSignatureFailures(kv: Deno.Kv, limit = 20): Promise<SignatureFailure[]> {
  const out: SignatureFailure[] = [];
  for await (
    const e of kv.list<SignatureFailure>({ prefix: ["signature_failure"] }, {
      limit,
      reverse: true,
    })
  ) {
    if (Date.parse(e.value.at) > Date.now() - RETENTION_MS) out.push(e.value);
  }
  return out;
}
