/**
 * IANA time zones: which ones the runtime knows (zones in payloads are untrusted text), and the
 * zone staff see times in.
 * @module
 */

/** Answers of `isTimeZone`; zones come from payloads, so the cache is bounded. */
const knownZones = new Map<string, boolean>();
const KNOWN_ZONES_MAX = 1000;

/** Whether `Intl` knows this zone (remembered: building a formatter to ask is costly). */
export function isTimeZone(zone: string): boolean {
  const known = knownZones.get(zone);
  if (known !== undefined) return known;
  let ok = true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
  } catch {
    ok = false;
  }
  if (knownZones.size >= KNOWN_ZONES_MAX) knownZones.clear();
  knownZones.set(zone, ok);
  return ok;
}

/**
 * The zone a booking's times are shown to staff in: STAFF_TIMEZONE, else the organizer's,
 * else UTC.
 */
export function staffZone(configured: string | undefined, organizerZone?: string): string {
  for (const zone of [configured, organizerZone]) {
    if (zone && isTimeZone(zone)) return zone;
  }
  return "UTC";
}
