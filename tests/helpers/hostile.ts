/**
 * Hostile webhook bodies for the fuzz and memory tests: deep nesting, enormous strings and
 * numbers, prototype keys, thousands of attendees, invalid UTF-8, and signatures of every kind.
 * @module
 */
import { signCalcomBody } from "@/lib/calcom/signature.ts";
import { fixtureJson, type Json, TEST_SECRET } from "./calcom.ts";

export const SIGNATURE_MODES = [
  "valid",
  "prefixed",
  "uppercase",
  "missing",
  "wrong-secret",
  "no-secret-provided",
  "garbage",
  "truncated",
] as const;
export type SignatureMode = typeof SIGNATURE_MODES[number];

/** Whether a signature made in this mode must verify. */
export const verifies = (mode: SignatureMode) =>
  mode === "valid" || mode === "prefixed" || mode === "uppercase";

/** The `X-Cal-Signature-256` value for `body` in the given mode (null: no header). */
export async function signatureFor(
  body: Uint8Array<ArrayBuffer>,
  mode: SignatureMode,
): Promise<string | null> {
  const valid = await signCalcomBody(body, TEST_SECRET);
  switch (mode) {
    case "valid":
      return valid;
    case "prefixed":
      return `sha256=${valid}`;
    case "uppercase":
      return valid.toUpperCase();
    case "missing":
      return null;
    case "wrong-secret":
      return await signCalcomBody(body, `${TEST_SECRET}-old`);
    case "no-secret-provided":
      return "no-secret-provided";
    case "garbage":
      return "\u00ff".repeat(3) + valid.slice(3);
    case "truncated":
      return valid.slice(0, 63);
  }
}

const encoder = new TextEncoder();
export const utf8 = (s: string) => encoder.encode(s) as Uint8Array<ArrayBuffer>;

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` levels. */
export function nested(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? "[".repeat(depth) + "]".repeat(depth)
    : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** A valid BOOKING_CREATED envelope (fresh uid) whose JSON text is edited by `edit`. */
export function bookingEnvelope(edit: (envelope: Json) => void = () => {}): Json {
  const base = fixtureJson("BOOKING_CREATED");
  base.payload.uid = crypto.randomUUID();
  base.createdAt = new Date().toISOString();
  edit(base);
  return base;
}

/** Paths inside a booking envelope where a hostile value is planted. */
export const PLANT_SITES = [
  "triggerEvent",
  "createdAt",
  "payload",
  "payload.uid",
  "payload.title",
  "payload.startTime",
  "payload.attendees",
  "payload.attendees.0.name",
  "payload.attendees.0.email",
  "payload.organizer",
  "payload.organizer.name",
  "payload.location",
  "payload.responses",
  "payload.responses.notes.value",
  "payload.responses.notes.label",
  "payload.rescheduleUid",
  "payload.bookingId",
  "payload.metadata",
  "payload.extra",
] as const;
export type PlantSite = typeof PLANT_SITES[number];

/** Replaces the value at `site` by raw JSON text, returning the whole body as text. */
export function plant(site: PlantSite, rawJson: string, envelope = bookingEnvelope()): string {
  const marker = `__plant_${crypto.randomUUID()}__`;
  const path = site.split(".");
  let node = envelope;
  for (const part of path.slice(0, -1)) {
    if (typeof node[part] !== "object" || node[part] === null) node[part] = {};
    node = node[part];
  }
  node[path[path.length - 1]] = marker;
  return JSON.stringify(envelope).replace(JSON.stringify(marker), rawJson);
}

/** A booking envelope with `count` attendees. */
export function manyAttendees(count: number): string {
  return JSON.stringify(bookingEnvelope((e) => {
    e.payload.attendees = Array.from({ length: count }, (_, i) => ({
      name: `Guest ${i}`,
      email: `guest${i}@example.com`,
      timeZone: "Europe/Berlin",
      language: { locale: "en" },
    }));
  }));
}

/** Bytes that are not valid UTF-8, inside otherwise JSON-looking text. */
export function invalidUtf8(prefix: Uint8Array, junk: Uint8Array): Uint8Array<ArrayBuffer> {
  const bad = [0xff, 0xc0, 0x80, 0xed, 0xa0, 0x80]; // never valid: 0xff, overlong, surrogate
  const out = new Uint8Array(prefix.length + bad.length + junk.length);
  out.set(prefix, 0);
  out.set(bad, prefix.length);
  out.set(junk, prefix.length + bad.length);
  return out;
}
