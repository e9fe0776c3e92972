import { formatInstant, isValidStep, MINUTE_MS, type TimeZone } from '@wfm-stream/core';

/**
 * The export grid (services/exporter/README.md, "The records"): intervals of `stepMs` in
 * real time, laid from 00:00 of each local day of the contact center's zone. On a
 * daylight-saving day the day is 23 or 25 hours long, so it has 4 fewer or 4 more
 * 15-minute intervals; when a day's length is not a multiple of the step (a 2-hour step
 * on a 23-hour day, Lord Howe's 30-minute shift), its last interval ends early, at the
 * next local midnight.
 */
export interface ExportInterval {
  /** Epoch ms, inclusive. */
  readonly startMs: number;
  /** Epoch ms, exclusive. */
  readonly endMs: number;
}

/** A step must be a whole number of minutes that divides a day. */
export function isValidExportStep(stepMs: number): boolean {
  return isValidStep(stepMs);
}

/** The interval holding the instant. */
export function intervalAt(zone: TimeZone, stepMs: number, ms: number): ExportInterval {
  const day = zone.dayNumberAt(ms);
  const dayStart = zone.startOfDay(day);
  const nextDay = zone.startOfDay(day + 1);
  const startMs = dayStart + Math.floor((ms - dayStart) / stepMs) * stepMs;
  return { startMs, endMs: Math.min(startMs + stepMs, nextDay) };
}

/** The interval after this one. */
export function nextInterval(
  zone: TimeZone,
  stepMs: number,
  interval: ExportInterval,
): ExportInterval {
  return intervalAt(zone, stepMs, interval.endMs);
}

/** Every interval that overlaps [fromMs, toMs), in time order, at most `limit` of them. */
export function intervalsOverlapping(
  zone: TimeZone,
  stepMs: number,
  fromMs: number,
  toMs: number,
  limit = Number.POSITIVE_INFINITY,
): ExportInterval[] {
  const out: ExportInterval[] = [];
  if (toMs <= fromMs) return out;
  for (
    let interval = intervalAt(zone, stepMs, fromMs);
    interval.startMs < toMs && out.length < limit;
    interval = nextInterval(zone, stepMs, interval)
  ) {
    out.push(interval);
  }
  return out;
}

/** The intervals of one local day (days since 1970-01-01 in the zone). */
export function intervalsOfDay(
  zone: TimeZone,
  stepMs: number,
  dayNumber: number,
): ExportInterval[] {
  return intervalsOverlapping(
    zone,
    stepMs,
    zone.startOfDay(dayNumber),
    zone.startOfDay(dayNumber + 1),
  );
}

/** `2026-03-29T00:15:00Z`: how intervals are named in records, jobs and keys. */
export function intervalName(interval: ExportInterval): string {
  return formatInstant(interval.startMs);
}

/** Length of the interval in whole minutes. */
export function intervalMinutes(interval: ExportInterval): number {
  return Math.round((interval.endMs - interval.startMs) / MINUTE_MS);
}
