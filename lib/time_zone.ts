/**
 * IANA time zones: which ones the runtime knows (zones in payloads are untrusted text), and the
 * zone staff see times in.
 * @module
 */

/** Whether `Intl` knows this zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
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
