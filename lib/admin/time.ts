/**
 * Times as staff read them: in the configured staff zone, else the organizer's, else UTC; and
 * the date-range filter's calendar days turned into instants of that zone.
 * @module
 */

export { staffZone } from "../time_zone.ts";

/**
 * A start time for a table cell, e.g. "Mon 1 Jan 2024, 11:00".
 *
 * @example formatTime("2024-01-01T10:00:00.000Z", "Europe/Berlin") // "Mon 1 Jan 2024, 11:00"
 */
export function formatTime(iso: string | undefined, zone: string): string {
  if (!iso) return "—";
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return "—";
  return cellFormat(zone).format(time);
}

/**
 * One formatter per zone and purpose, built once (a page formats every row's time; building an
 * `Intl.DateTimeFormat` costs far more than using one). Zones here are the staff zone or a
 * booking's validated zone, so the maps stay small.
 */
function cached(
  cache: Map<string, Intl.DateTimeFormat>,
  make: (zone: string) => Intl.DateTimeFormat,
): (zone: string) => Intl.DateTimeFormat {
  return (zone) => {
    let format = cache.get(zone);
    if (!format) cache.set(zone, format = make(zone));
    return format;
  };
}

const cellFormat = cached(new Map(), (zone) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }));

const offsetFormat = cached(new Map(), (zone) =>
  new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }));

/** Milliseconds the zone is ahead of UTC at instant `ms`. */
function zoneOffset(ms: number, zone: string): number {
  const parts = offsetFormat(zone).formatToParts(new Date(ms));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return local - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a calendar day (`YYYY-MM-DD`) begins in `zone`, as ISO; undefined when invalid.
 * `daysLater` moves to a later day (1 gives the end of an inclusive range).
 */
export function dayStart(day: string, zone: string, daysLater = 0): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const midnight = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + daysLater);
  if (Number.isNaN(midnight)) return undefined;
  let instant = midnight - zoneOffset(midnight, zone);
  instant = midnight - zoneOffset(instant, zone);
  return new Date(instant).toISOString();
}
