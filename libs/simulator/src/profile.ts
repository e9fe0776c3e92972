import { DAY_MS, HOUR_MS, MINUTE_MS, type TimeZone } from '@wfm-stream/core';

import { MODEL } from './model.js';

/** Local wall-clock time of an instant, as ms since 1970-01-01 00:00 local. */
export function wallOf(zone: TimeZone, ms: number): number {
  return ms + zone.offsetMinutesAt(ms) * MINUTE_MS;
}

/**
 * The instant of a local wall-clock time on a local day (`minutes` after its midnight).
 * A wall time that does not exist (clocks go forward) moves forward by the gap; one that
 * occurs twice is its first occurrence.
 */
export function instantOfLocal(zone: TimeZone, dayNumber: number, minutes: number): number {
  const wall = dayNumber * DAY_MS + minutes * MINUTE_MS;
  const guess = zone.startOfDay(dayNumber) + minutes * MINUTE_MS;
  const adjusted = guess + (wall - wallOf(zone, guess));
  return wallOf(zone, adjusted) === wall ? adjusted : Math.max(guess, adjusted);
}

/** The local weekday (0 = Sunday) of a local day number. */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function isWeekend(dayNumber: number): boolean {
  const weekday = weekdayOf(dayNumber);
  return weekday === 0 || weekday === 6;
}

/** The local hour (0–23) of an instant. */
export function localHourOf(zone: TimeZone, ms: number): number {
  const wall = wallOf(zone, ms);
  return Math.floor((wall - Math.floor(wall / DAY_MS) * DAY_MS) / HOUR_MS);
}

/** Whether the day service is open at the instant: 07:00–22:00 local, every day. */
export function isOpenAt(zone: TimeZone, ms: number): boolean {
  const hour = localHourOf(zone, ms);
  return hour >= MODEL.openFromHour && hour < MODEL.openUntilHour;
}

/**
 * When contacts come: a local intraday profile (open 07:00–22:00, peaks mid-morning and
 * mid-afternoon; at night a trickle for groups with a night desk, nothing for the
 * others), quieter weekends. `factor(t)` is the arrival rate at t relative to the
 * average over opening hours.
 */
export class ArrivalProfile {
  private readonly mean: number;
  readonly maxFactor: number;

  constructor(private readonly zone: TimeZone) {
    const profile: readonly number[] = MODEL.hourlyProfile;
    this.mean = profile.reduce((a, b) => a + b, 0) / profile.length;
    this.maxFactor = Math.max(...profile) / this.mean;
  }

  factor(ms: number, nightDesk: boolean): number {
    const open = (MODEL.hourlyProfile as readonly number[])[
      localHourOf(this.zone, ms) - MODEL.openFromHour
    ];
    if (open === undefined && !nightDesk) return 0;
    const weekend = isWeekend(this.zone.dayNumberAt(ms)) ? MODEL.weekendFactor : 1;
    return weekend * (open === undefined ? MODEL.nightFactor : open / this.mean);
  }
}
