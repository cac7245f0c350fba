/**
 * Sample data the templates are built from: invented people on example.com addresses (never real
 * personal data), Cal.com-shaped ids, and booking slots in the near future so every send looks
 * like a fresh booking.
 * @module
 */

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A booking uid in Cal.com's short form (22 base62 characters, like `5vQFqxDFMjdgKGMijqtqRw`). */
export function shortUid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(22));
  return Array.from(bytes, (b) => BASE62[b % 62]).join("");
}

/** A positive integer id, as Cal.com's database would hand out. */
export function numericId(min = 1000, max = 999_999): number {
  const [n] = crypto.getRandomValues(new Uint32Array(1));
  return min + (n % (max - min));
}

export const ORGANIZER = {
  id: 7,
  name: "Morgan Reyes",
  email: "morgan.reyes@studio.example.com",
  username: "morgan-reyes",
  timeZone: "Europe/Lisbon",
  language: { locale: "en" },
  timeFormat: "HH:mm",
  utcOffset: 0,
} as const;

export const STAND_IN_HOST = {
  id: 9,
  name: "Sam Okafor",
  email: "sam.okafor@studio.example.com",
  username: "sam-okafor",
  timeZone: "Europe/Berlin",
  language: { locale: "en" },
  timeFormat: "HH:mm",
  utcOffset: 60,
} as const;

export const BOOKER = {
  name: "Alex Kim",
  email: "alex.kim@client.example.org",
  firstName: "Alex",
  lastName: "Kim",
  timeZone: "America/New_York",
  language: { locale: "en" },
  phoneNumber: null,
  utcOffset: -300,
} as const;

export const GUEST = {
  name: "Jordan Lee",
  email: "jordan.lee@client.example.org",
  firstName: "",
  lastName: "",
  timeZone: "America/New_York",
  language: { locale: "en" },
  phoneNumber: null,
  utcOffset: -300,
} as const;

export const EVENT_TYPE = {
  id: 412,
  slug: "consultation-30",
  title: "30 min consultation",
  length: 30,
} as const;

export const BOOKER_URL = "https://cal.example.com";

/** A 30-minute slot on the hour, 2 to 9 days ahead, between 09:00 and 16:00 UTC. */
export function upcomingSlot(now: Date, daysAhead?: number): { start: Date; end: Date } {
  const days = daysAhead ?? 2 + numericId(0, 8);
  const start = new Date(now);
  start.setUTCDate(start.getUTCDate() + days);
  start.setUTCHours(9 + numericId(0, 8), 0, 0, 0);
  const end = new Date(start.getTime() + EVENT_TYPE.length * 60_000);
  return { start, end };
}

/** `2024-01-01T10:00:00Z`: the form Cal.com uses on create and reschedule. */
export const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
/** `2024-01-04T10:00:00+00:00`: the form Cal.com uses on cancel. */
export const isoOffset = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "+00:00");
