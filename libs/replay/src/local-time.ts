import { DAY_MS, parseDayNumber, type TimeZone } from '@wfm-stream/core';

/**
 * The instant of a local wall-clock time: `seconds` after local midnight of `dayNumber`
 * (a day number of the local calendar), in `zone`. A wall time that occurs twice (the
 * hour repeated when clocks go back) is taken at its first occurrence; one that does not
 * exist (skipped when clocks go forward) is moved forward by the gap.
 */
export function localInstant(zone: TimeZone, dayNumber: number, seconds: number): number {
  const wall = dayNumber * DAY_MS + seconds * 1_000;
  const first = wall - zone.offsetMinutesAt(wall - DAY_MS / 2) * 60_000;
  const second = wall - zone.offsetMinutesAt(first) * 60_000;
  const candidates = [first, second, wall - zone.offsetMinutesAt(second) * 60_000]
    .filter((ms) => ms + zone.offsetMinutesAt(ms) * 60_000 === wall)
    .sort((a, b) => a - b);
  return candidates[0] ?? first;
}

export function dayNumberOf(localDate: string): number {
  const day = parseDayNumber(localDate);
  if (day === undefined) throw new TypeError(`not a date: ${localDate}`);
  return day;
}
