/**
 * The soak's verdict, from the KV file and the fake's log only: every event answered 2xx is
 * stored byte for byte; every notification went out exactly once or is dead/failed with a
 * reason; every duplicate send is explained by a crash window (a 202 the app never recorded,
 * for a request that reached the fake shortly before a SIGKILL or before the restarted app was
 * up); nothing stays in `sending` past its lease. Unexplained ones are listed with a timeline.
 * @module
 */
import { bodyDigest, getEvent } from "@/lib/store/events.ts";
import type { DeliveryRecord } from "@/lib/store/deliveries.ts";
import type { TimedRequest } from "./failing_sendgrid.ts";
import { kvProblems } from "../helpers/kv_invariants.ts";

export interface Answered {
  body: Uint8Array<ArrayBuffer>;
  id: string;
}

export interface SoakFacts {
  events: number;
  answered: Answered[];
  fakeRequests: TimedRequest[];
  /** When each SIGKILL happened (epoch ms). */
  kills: number[];
  /** When the app started after each kill was listening again (epoch ms). */
  restarts: number[];
  /** How long a send may take before the app gives up (a 202 this long before a kill may be lost). */
  sendTimeoutMs: number;
  senderRetries: number;
}

const SENT = new Set(["accepted", "delivered", "opened", "deferred", "bounced", "dropped"]);

export async function verifySoak(kv: Deno.Kv, facts: SoakFacts, now = Date.now()) {
  let lost = 0;
  for (const { body, id } of facts.answered) {
    const event = await getEvent(kv, id);
    if (!event || event.digest !== await bodyDigest(body)) lost++;
  }
  const { problems } = await kvProblems(kv);
  const accepted = new Map<string, { at: number; messageId?: string }[]>();
  const drops = new Set<string>();
  for (const r of facts.fakeRequests) {
    const id = r.body.custom_args?.delivery_id ?? "(none)";
    if (r.answer === 202) {
      accepted.set(id, [...(accepted.get(id) ?? []), { at: r.at ?? 0, messageId: r.messageId }]);
    }
    if (r.answer === "drop") drops.add(id);
  }
  const c = {
    once: 0,
    dead: 0,
    deadWithoutReason: 0,
    duplicates: 0,
    crashWindow: 0,
    unexplained: 0,
  };
  const more = { stuck: 0, pending: 0, sentButNotRecorded: 0, deadButSent: 0, dropsThenSent: 0 };
  /** For each unexplained duplicate: the fake's sends and the app's attempts, relative to kills. */
  const unexplained: string[] = [];
  const deliveries: DeliveryRecord[] = [];
  for await (const e of kv.list<DeliveryRecord>({ prefix: ["delivery"] })) deliveries.push(e.value);
  const known = new Set(deliveries.map((d) => d.id));
  for (const d of deliveries) {
    const sends = accepted.get(d.id) ?? [];
    if (SENT.has(d.status)) {
      if (!sends.some((s) => s.messageId === d.messageId)) more.sentButNotRecorded++;
      if (sends.length === 1) c.once++;
      for (const extra of sends.filter((s) => s.messageId !== d.messageId)) {
        c.duplicates++;
        const inWindow = facts.kills.some((k, i) =>
          inCrashWindow(extra.at, k, facts.restarts[i] ?? k, facts.sendTimeoutMs)
        );
        if (inWindow) c.crashWindow++;
        else {
          c.unexplained++;
          unexplained.push(timeline(d, sends, facts.kills));
        }
      }
      if (drops.has(d.id)) more.dropsThenSent++;
    } else if (d.status === "dead" || d.status === "failed") {
      c.dead++;
      if (!d.lastError) c.deadWithoutReason++;
      if (sends.length > 0) more.deadButSent++;
    } else if (d.status === "sending" && d.dueAt < now) more.stuck++;
    else more.pending++;
  }
  const phantom = [...accepted.keys()].filter((id) => !known.has(id)).length;
  const failed = facts.fakeRequests.filter((r) => r.answer !== 202).length;
  const ok = lost === 0 && problems.length === 0 && facts.answered.length === facts.events &&
    deliveries.length === facts.answered.length && c.unexplained === 0 &&
    c.deadWithoutReason === 0 &&
    more.stuck === 0 && more.pending === 0 && more.sentButNotRecorded === 0 &&
    more.deadButSent === 0 && phantom === 0;
  const verdict = `soak ${ok ? "PASS" : "FAIL"} · ${facts.events} events, ` +
    `${facts.answered.length} answered 2xx, ${lost} lost · ${deliveries.length} notifications: ` +
    `${c.once} delivered once, ${c.dead} dead/failed (${c.deadWithoutReason} without reason), ` +
    `${c.duplicates} duplicate sends (${c.crashWindow} in a crash window, ${c.unexplained} unexplained), ` +
    `${more.stuck} stuck in sending, ${more.pending} pending · ${facts.kills.length} SIGKILLs, ` +
    `${facts.senderRetries} sender retries · fake failed ${failed} of ${facts.fakeRequests.length} ` +
    `requests (${(100 * failed / Math.max(1, facts.fakeRequests.length)).toFixed(1)}%), ` +
    `${more.dropsThenSent} emails resent after a dropped connection · KV invariants ` +
    (problems.length ? `BROKEN (${problems.slice(0, 3).join("; ")})` : "ok");
  return { ok, verdict, lost, problems, unexplained, counts: { ...c, ...more, phantom } };
}

/**
 * A send the app never recorded is explained by a kill when it reached the fake at most one send
 * timeout before the kill, or after it but before the restarted app listened: the fake notes a
 * request when its handler runs, which on a loaded machine can be after the kill for a request
 * the killed app had already written, and the new process sends nothing before it is up.
 */
function inCrashWindow(at: number, kill: number, restarted: number, timeoutMs: number) {
  return at >= kill - timeoutMs && at <= restarted;
}

/** One line: a delivery's 202s at the fake and its recorded attempts, in ms since the first. */
function timeline(d: DeliveryRecord, sends: { at: number; messageId?: string }[], kills: number[]) {
  const t0 = Math.min(...sends.map((s) => s.at));
  const rel = (at: number) => `${at - t0 >= 0 ? "+" : ""}${at - t0}`;
  const attempts = d.attempts.map((a) =>
    `${rel(Date.parse(a.at))}ms ${a.httpStatus ?? a.error ?? "?"} ${a.durationMs}ms` +
    (a.messageId ? ` ${a.messageId === d.messageId ? "recorded" : "other id"}` : "")
  );
  return `delivery ${d.id} (${d.status}, ${d.attempts.length} attempts): 202s at ` +
    sends.map((s) => `${rel(s.at)}ms${s.messageId === d.messageId ? " (recorded)" : ""}`).join(
      ", ",
    ) +
    ` · kills at ${kills.map(rel).join(", ")}ms · attempts: ${attempts.join("; ")}`;
}
