/** Times shown to staff and attendees: one readable form, in a named IANA zone. */

import { isTimeZone } from "../time_zone.ts";

/** The zone if the runtime knows it, else UTC (payload zones are untrusted text). */
export function safeZone(zone: string | undefined): string {
  return zone && isTimeZone(zone) ? zone : "UTC";
}

interface ZoneFormats {
  day: Intl.DateTimeFormat;
  time: Intl.DateTimeFormat;
  zoneName: Intl.DateTimeFormat;
}

/**
 * Formatters per zone, built once: constructing an `Intl.DateTimeFormat` costs far more than
 * formatting with one (it showed up in the dispatch profile). Zones reaching here went through
 * `safeZone` or staff configuration, so the map holds at most the runtime's IANA zones.
 */
const formatsByZone = new Map<string, ZoneFormats>();

function formatsFor(zone: string): ZoneFormats {
  let formats = formatsByZone.get(zone);
  if (!formats) {
    formats = {
      day: new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        weekday: "short",
        day: "numeric",
        month: "short",
        year: "numeric",
      }),
      time: new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }),
      zoneName: new Intl.DateTimeFormat("en-GB", { timeZone: zone, timeZoneName: "short" }),
    };
    formatsByZone.set(zone, formats);
  }
  return formats;
}

function parts(iso: string, zone: string): { day: string; time: string; zoneName: string } {
  const date = new Date(iso);
  const formats = formatsFor(zone);
  const zoneName = formats.zoneName.formatToParts(date).find((p) => p.type === "timeZoneName")
    ?.value ?? zone;
  return { day: formats.day.format(date), time: formats.time.format(date), zoneName };
}

/**
 * @example
 * formatStart("2024-01-01T10:00:00Z", "Europe/Berlin"); // "Mon, 1 Jan 2024, 11:00 CET"
 */
export function formatStart(iso: string, zone: string): string {
  const p = parts(iso, zone);
  return `${p.day}, ${p.time} ${p.zoneName}`;
}

/**
 * @example
 * formatRange(start, end, "Europe/Berlin"); // "Mon, 1 Jan 2024, 11:00–11:15 CET (Europe/Berlin)"
 */
export function formatRange(startIso: string, endIso: string, zone: string): string {
  const a = parts(startIso, zone);
  const b = parts(endIso, zone);
  const span = a.day === b.day
    ? `${a.day}, ${a.time}–${b.time} ${b.zoneName}`
    : `${a.day}, ${a.time} – ${b.day}, ${b.time} ${b.zoneName}`;
  return b.zoneName === zone ? span : `${span} (${zone})`;
}

export function durationMinutes(startIso: string, endIso: string): number {
  return Math.max(0, Math.round((Date.parse(endIso) - Date.parse(startIso)) / 60_000));
}
