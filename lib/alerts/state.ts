/**
 * Alert incidents in KV, one record per kind at `["alert", "state", kind]`: an incident opens
 * once, later occurrences only count, and it resolves once. Opening and resolving are atomic
 * commits checked against the record read, so of many concurrent callers exactly one opens an
 * incident and queues its notice. Owns every `["alert", …]` key.
 * @module
 */
import { newId } from "../store/ids.ts";
import type { AlertKind } from "./kinds.ts";

export type NoticePhase = "opened" | "resolved";

export interface AlertState {
  kind: AlertKind;
  incident: string;
  status: "open" | "resolved";
  openedAt: string;
  resolvedAt?: string;
  lastSeenAt: string;
  occurrences: number;
  /** Counts and ids only. */
  detail: string;
  /** Notices still to post to ALERT_WEBHOOK_URL, oldest first. */
  pendingNotices: NoticePhase[];
  noticeAttempts: number;
  /** Epoch ms before which no sender may post (backoff) or while one holds the lease. */
  noticeNotBefore: number;
}

export const alertKey = (kind: AlertKind) => ["alert", "state", kind] as const;
const MAX_TRIES = 10;

/** Reads, changes and commits one alert record, retrying when another writer got there first. */
export async function updateAlert(
  kv: Deno.Kv,
  kind: AlertKind,
  change: (current: AlertState | null) => AlertState | null,
): Promise<AlertState | null> {
  for (let i = 0; i < MAX_TRIES; i++) {
    const entry = await kv.get<AlertState>(alertKey(kind));
    const next = change(entry.value);
    if (!next) return null;
    const result = await kv.atomic().check(entry).set(alertKey(kind), next).commit();
    if (result.ok) return next;
  }
  throw new Error(`alert ${kind}: too many concurrent updates`);
}

/**
 * Opens an incident, or counts one more occurrence of the open one. Returns the state when
 * this call opened the incident, else null.
 */
export async function openAlert(
  kv: Deno.Kv,
  kind: AlertKind,
  options: { now: number; detail: string; notify: boolean },
): Promise<AlertState | null> {
  let opened = false;
  const at = new Date(options.now).toISOString();
  const state = await updateAlert(kv, kind, (current) => {
    opened = current?.status !== "open";
    if (current && !opened) {
      const occurrences = current.occurrences + 1;
      return { ...current, lastSeenAt: at, occurrences, detail: options.detail };
    }
    return {
      kind,
      incident: newId(options.now),
      status: "open",
      openedAt: at,
      lastSeenAt: at,
      occurrences: 1,
      detail: options.detail,
      // A notice of the previous incident still waiting is kept, in order.
      pendingNotices: options.notify ? [...(current?.pendingNotices ?? []), "opened"] : [],
      noticeAttempts: current?.noticeAttempts ?? 0,
      noticeNotBefore: current?.noticeNotBefore ?? 0,
    };
  });
  return opened ? state : null;
}

/** Resolves the open incident; returns its state when this call resolved it, else null. */
export async function resolveAlert(
  kv: Deno.Kv,
  kind: AlertKind,
  options: { now: number; detail?: string; notify: boolean },
): Promise<AlertState | null> {
  return await updateAlert(kv, kind, (current) =>
    current?.status === "open"
      ? {
        ...current,
        status: "resolved",
        resolvedAt: new Date(options.now).toISOString(),
        detail: options.detail ?? current.detail,
        pendingNotices: options.notify
          ? [...current.pendingNotices, "resolved"]
          : current.pendingNotices,
      }
      : null);
}

export async function getAlert(kv: Deno.Kv, kind: AlertKind): Promise<AlertState | null> {
  return (await kv.get<AlertState>(alertKey(kind))).value;
}
