/** Cal.com as a test peer: fixtures, bodies signed exactly as Cal.com signs them. */
import { signCalcomBody } from "@/lib/calcom/signature.ts";

export const TEST_SECRET = "test-secret-for-calcom";
const FIXTURES = new URL("../fixtures/calcom/", import.meta.url);

export const FIXTURE_NAMES = [
  "BOOKING_CREATED",
  "BOOKING_RESCHEDULED",
  "BOOKING_CANCELLED",
  "BOOKING_NO_SHOW_UPDATED",
  "MEETING_ENDED",
  "FORM_SUBMITTED",
] as const;

/** A fixture as Cal.com would send it: compact JSON, the order of keys unchanged. */
export function fixtureBody(name: typeof FIXTURE_NAMES[number]): string {
  return JSON.stringify(JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, FIXTURES))));
}

// deno-lint-ignore no-explicit-any
export type Json = any;

export function fixtureJson(name: typeof FIXTURE_NAMES[number]): Json {
  return JSON.parse(fixtureBody(name));
}

/** A booking envelope with fresh uid and times, based on the BOOKING_CREATED fixture. */
export function bookingEvent(
  trigger: string,
  overrides: Record<string, unknown> = {},
  createdAt = new Date().toISOString(),
): string {
  const base = fixtureJson("BOOKING_CREATED");
  return JSON.stringify({
    triggerEvent: trigger,
    createdAt,
    payload: { ...base.payload, uid: crypto.randomUUID(), ...overrides },
  });
}

/** A Cal.com person (organizer or attendee) as booking payloads carry them. */
export const calcomPerson = (name: string, email: string) => ({
  name,
  email,
  timeZone: "Europe/Berlin",
  language: { locale: "de" },
  utcOffset: 120,
});

export interface SignedPostOptions {
  secret?: string;
  signature?: string | null;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A `POST /api/calcom-webhook` request signed like Cal.com: lowercase hex HMAC of the bytes. */
export async function signedWebhookRequest(
  body: string | Uint8Array<ArrayBuffer>,
  options: SignedPostOptions = {},
): Promise<Request> {
  const signature = options.signature === undefined
    ? await signCalcomBody(body, options.secret ?? TEST_SECRET)
    : options.signature;
  const headers = new Headers({
    "content-type": options.contentType ?? "application/json",
    "x-cal-webhook-version": "2021-10-20",
    ...options.headers,
  });
  if (signature !== null) headers.set("x-cal-signature-256", signature);
  return new Request("http://localhost/api/calcom-webhook", { method: "POST", body, headers });
}
