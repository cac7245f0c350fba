/**
 * Structured logs: one JSON object per line on stdout/stderr. Callers pass ids, types, timings
 * and status codes only, never secrets, addresses, names or payload text. Lines written while a
 * request is handled carry its request id.
 * @module
 */
import { currentRequestId } from "./request_id.ts";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold = LEVELS.info;

/** Sets the lowest level written (LOG_LEVEL). */
export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS[level];
}

function write(level: LogLevel, msg: string, fields: LogFields): void {
  if (LEVELS[level] < threshold) return;
  const requestId = currentRequestId();
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, requestId, ...fields });
  if (LEVELS[level] >= LEVELS.warn) console.error(line);
  else console.log(line);
}

export const log = {
  debug: (msg: string, fields: LogFields = {}) => write("debug", msg, fields),
  info: (msg: string, fields: LogFields = {}) => write("info", msg, fields),
  warn: (msg: string, fields: LogFields = {}) => write("warn", msg, fields),
  error: (msg: string, fields: LogFields = {}) => write("error", msg, fields),
};
