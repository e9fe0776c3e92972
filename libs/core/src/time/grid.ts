import { DAY_MS, MINUTE_MS, type OffsetInstant } from './instant.js';

/**
 * The interval grid of a historic request (docs/api.md, "GET /historic/serviceGroupData"):
 * intervals are laid from 00:00 of the start date's day, in the start date's own offset,
 * every `stepMs`.
 */
export interface IntervalGrid {
  readonly originMs: number;
  readonly stepMs: number;
  readonly offsetMinutes: number;
}

/** A step must be a positive whole number of minutes that divides a day. */
export function isValidStep(stepMs: number): boolean {
  return (
    Number.isSafeInteger(stepMs) && stepMs > 0 && stepMs % MINUTE_MS === 0 && DAY_MS % stepMs === 0
  );
}

export function intervalGrid(start: OffsetInstant, stepMs: number): IntervalGrid {
  const offsetMs = start.offsetMinutes * MINUTE_MS;
  const localDayStart = Math.floor((start.ms + offsetMs) / DAY_MS) * DAY_MS;
  return { originMs: localDayStart - offsetMs, stepMs, offsetMinutes: start.offsetMinutes };
}

/** Start of the grid interval holding the instant. */
export function intervalStart(grid: IntervalGrid, ms: number): number {
  return grid.originMs + Math.floor((ms - grid.originMs) / grid.stepMs) * grid.stepMs;
}

const QUARTER_MS = 15 * MINUTE_MS;

/**
 * The coarsest storage bucket (in minutes) from which a request can be summed exactly:
 * 15-minute buckets when the step, the offset and both ends of the period are whole
 * quarter hours, else 1-minute buckets. Buckets are aligned to UTC.
 */
export function bucketMinutesFor(grid: IntervalGrid, startMs: number, endMs: number): 15 | 1 {
  const aligned =
    grid.stepMs % QUARTER_MS === 0 &&
    (grid.offsetMinutes * MINUTE_MS) % QUARTER_MS === 0 &&
    startMs % QUARTER_MS === 0 &&
    endMs % QUARTER_MS === 0;
  return aligned ? 15 : 1;
}
