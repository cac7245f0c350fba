/**
 * Subjects are built from text a booker typed: control characters (CR/LF included, so no
 * header injection), bidi overrides and runs of spaces go, and the length is capped.
 * @module
 */

/** SendGrid has no hard limit; mail clients show ~80 characters, RFC 5322 lines stop at 998. */
export const MAX_SUBJECT = 150;
const MAX_NAME = 60;

/** Removes C0/C1 controls, line/paragraph separators and bidi controls; collapses spaces. */
export function headerSafe(text: string): string {
  return text
    .replace(/[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function cap(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join("").trimEnd() + "…";
}

/**
 * @example
 * bookingSubject("New booking", "Guest User", "Mon, 1 Jan 2024, 10:00 UTC");
 * // "New booking: Guest User · Mon, 1 Jan 2024, 10:00 UTC"
 */
export function bookingSubject(kind: string, attendeeName: string, start: string): string {
  const name = cap(headerSafe(attendeeName) || "(no name)", MAX_NAME);
  return cap(headerSafe(`${kind}: ${name} · ${start}`), MAX_SUBJECT);
}

/** An address display name safe for SendGrid (`;` and `,` are refused in names). */
export function displayName(name: string | undefined): string | undefined {
  const safe = cap(headerSafe(name ?? "").replace(/[;,"<>]/g, " ").replace(/\s+/g, " "), 80);
  return safe || undefined;
}

const EMAIL = /^[^\s@,;<>"()\[\]\\]+@[^\s@,;<>"()\[\]\\]+\.[^\s@,;<>"()\[\]\\]+$/;

/** Whether an attendee's address is plain enough to put in a header (Reply-To). */
export function isPlainEmail(address: string): boolean {
  return address.length <= 254 && EMAIL.test(address);
}
