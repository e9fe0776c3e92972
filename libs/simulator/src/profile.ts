import { DAY_MS, HOUR_MS, type TimeZone } from '@wfm-stream/core';

import { MODEL } from './model.js';

/**
 * When contacts come: a local intraday profile (open 07:00–22:00, peaks mid-morning and
 * mid-afternoon), a trickle at night, quieter weekends. `factor(t)` is the arrival rate
 * at t relative to the average over opening hours.
 */
export class ArrivalProfile {
  private readonly mean: number;
  readonly maxFactor: number;

  constructor(private readonly zone: TimeZone) {
    const profile: readonly number[] = MODEL.hourlyProfile;
    this.mean = profile.reduce((a, b) => a + b, 0) / profile.length;
    this.maxFactor = Math.max(...profile) / this.mean;
  }

  factor(ms: number): number {
    const local = ms + this.zone.offsetMinutesAt(ms) * 60_000;
    const day = Math.floor(local / DAY_MS);
    const hour = Math.floor((local - day * DAY_MS) / HOUR_MS);
    const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    const weekend = weekday === 0 || weekday === 6 ? MODEL.weekendFactor : 1;
    const open = (MODEL.hourlyProfile as readonly number[])[hour - MODEL.openFromHour];
    return weekend * (open === undefined ? MODEL.nightFactor : open / this.mean);
  }
}

/** The local weekday (0 = Sunday) of a local day number. */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}
