/**
 * Local wall-clock time in a time zone, and the instants it names. A "wall" value is a
 * local date and time written as if it were UTC epoch ms (1999-02-01 07:02:47 in Israel
 * is `utcMs(1999, 2, 1, 7, 2, 47)` as a wall value); the zone turns it into an instant.
 * Daylight-saving transitions are resolved deterministically: a wall time that occurs
 * twice (clocks go back) is its first occurrence; one that does not exist (clocks go
 * forward) is moved forward by the gap.
 */

import { DAY_MS, formatInstant, parseDayNumber, TimeZone } from '@wfm-stream/core';

/** The zone the call log was recorded in: every clock time in it is Israel time. */
export const CALL_LOG_ZONE = 'Asia/Jerusalem';

const MINUTE_MS = 60_000;

let callLogZoneCache: TimeZone | undefined;

/** The call log's zone; throws when the runtime has no time-zone data for it. */
export function callLogZone(): TimeZone {
  callLogZoneCache ??= TimeZone.of(CALL_LOG_ZONE);
  if (callLogZoneCache === undefined) {
    throw new Error(`the runtime does not know the time zone ${CALL_LOG_ZONE}`);
  }
  return callLogZoneCache;
}

/** The instant a local wall time names in `zone` (see the module comment for DST). */
export function instantOfWall(zone: TimeZone, wallMs: number): number {
  const before = zone.offsetMinutesAt(wallMs - DAY_MS);
  const after = zone.offsetMinutesAt(wallMs + DAY_MS);
  const early = wallMs - before * MINUTE_MS;
  const late = wallMs - after * MINUTE_MS;
  const fits = (ms: number): boolean => wallOfInstant(zone, ms) === wallMs;
  const earlyFits = fits(early);
  const lateFits = before !== after && fits(late);
  if (earlyFits && lateFits) return Math.min(early, late);
  if (lateFits) return late;
  // It fits, or the wall time falls in a gap: read with the offset before the transition,
  // which lands the same distance after the gap as the wall time was into it.
  return early;
}

/** The local wall time of an instant in `zone`. */
export function wallOfInstant(zone: TimeZone, ms: number): number {
  return ms + zone.offsetMinutesAt(ms) * MINUTE_MS;
}

/** The same local wall-clock time `days` local days later (earlier when negative). */
export function shiftLocalDays(zone: TimeZone, ms: number, days: number): number {
  return days === 0 ? ms : instantOfWall(zone, wallOfInstant(zone, ms) + days * DAY_MS);
}

/** ISO-8601 in the zone's offset at that instant, e.g. `1999-02-01T07:02:47+02:00`. */
export function formatLocal(zone: TimeZone, ms: number): string {
  return formatInstant(ms, zone.offsetMinutesAt(ms));
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date; throws a TypeError when it is not one. */
export function dayNumberOf(localDate: string): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(localDate) ? parseDayNumber(localDate) : undefined;
  if (day === undefined) throw new TypeError(`not a YYYY-MM-DD date: "${localDate}"`);
  return day;
}
