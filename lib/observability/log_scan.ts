/**
 * The log audit: finds personal data or secrets in our JSON log lines (the security rule of
 * DESIGN.md). Run over everything a test suite printed (scripts/scan_logs.ts, in CI) and by
 * the log tests. Findings name the line and the kind, never the text found.
 * @module
 */

export interface LogFinding {
  /** 1-based line number in the scanned text. */
  line: number;
  kind: "email address" | "bearer token" | "sendgrid key" | "known personal or secret text";
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const BEARER = /\bBearer\s+\S/i;
const SENDGRID_KEY = /\bSG\.[\w-]{8,}\.[\w-]{8,}/;
/** Our log lines: `log.ts` writes one JSON object starting with the time. */
const LOG_LINE = /^\{"time":"/;

/**
 * Scans every log line of `text` for addresses, tokens and the `forbidden` strings (fixture
 * names, titles, notes, test secrets). Lines that are not our log lines are skipped.
 */
export function scanLogText(text: string, forbidden: readonly string[] = []): LogFinding[] {
  const findings: LogFinding[] = [];
  text.split("\n").forEach((raw, i) => {
    // Test runners prefix captured output with colour codes (ESC [ … m).
    // deno-lint-ignore no-control-regex
    const line = raw.replace(/\x1b\[[0-9;]*m/g, "").trim();
    if (!LOG_LINE.test(line)) return;
    const hit = (kind: LogFinding["kind"]) => findings.push({ line: i + 1, kind });
    if (EMAIL.test(line)) hit("email address");
    else if (BEARER.test(line)) hit("bearer token");
    else if (SENDGRID_KEY.test(line)) hit("sendgrid key");
    else if (forbidden.some((s) => line.includes(s))) hit("known personal or secret text");
  });
  return findings;
}

const PERSONAL_KEYS = new Set([
  "name",
  "email",
  "title",
  "description",
  "additionalNotes",
  "cancellationReason",
  "rescheduleReason",
  "firstName",
  "lastName",
  "value",
  "label",
]);

/**
 * The personal strings in Cal.com payloads (names, addresses, titles, notes, form answers), to
 * look for in logs. Short or code-like values (`BOOKING_CREATED`, `en`) are left out.
 */
export function personalStrings(payload: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(payload)) payload.forEach((v) => personalStrings(v, out));
  else if (payload && typeof payload === "object") {
    for (const [key, value] of Object.entries(payload)) {
      if (typeof value === "string" && PERSONAL_KEYS.has(key) && isPersonal(value)) out.add(value);
      else personalStrings(value, out);
    }
  }
  return out;
}

function isPersonal(value: string): boolean {
  return value.length >= 5 && /[a-z]/.test(value) && !/^[a-z][\w-]*$/.test(value) &&
    !/^https?:\/\//.test(value);
}
