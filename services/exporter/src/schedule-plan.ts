import type { TimeZone } from '@wfm-stream/core';
import {
  type ExportInterval,
  intervalAt,
  intervalsOverlapping,
  type JobReason,
  nextInterval,
} from '@wfm-stream/export';

/**
 * What the scheduler does on a tick, as a pure function of the clock and its state:
 *
 * - An interval is due once it has closed and EXPORT_DELAY has passed. Each target has a
 *   cursor, the start of the next interval to enqueue; every due interval from the
 *   cursor on is enqueued (`scheduled`), at most `maxIntervalsPerTick` per tick, and the
 *   cursor moves past it. A target without a cursor starts with the latest due interval
 *   (earlier history is a `wfm-stream exports reexport` away).
 * - Due intervals that ended within EXPORT_RESTATE_WINDOW are watched: their content
 *   hash is compared with the one recorded when last enqueued, and an interval whose
 *   figures changed (late events) is enqueued again (`restated`) for every target that
 *   already had it.
 */
export interface ScheduleSettings {
  readonly zone: TimeZone;
  readonly stepMs: number;
  readonly delayMs: number;
  readonly restateWindowMs: number;
  readonly maxIntervalsPerTick: number;
}

export interface PlannedJob {
  readonly target: string;
  readonly interval: ExportInterval;
  readonly reason: JobReason;
}

export interface ScheduleState {
  /** Per target, the start of the next interval to enqueue. */
  readonly cursors: ReadonlyMap<string, number>;
  /** Per interval start, the content hash when last enqueued (watched intervals only). */
  readonly fingerprints: ReadonlyMap<number, string>;
}

export interface SchedulePlan {
  readonly jobs: readonly PlannedJob[];
  /** Cursors that moved. */
  readonly cursors: ReadonlyMap<string, number>;
  /** Fingerprints to record. */
  readonly fingerprints: ReadonlyMap<number, string>;
  /** Fingerprints of intervals no longer watched. */
  readonly forget: readonly number[];
}

/** Intervals starting before this instant are due. */
export function dueBoundary(settings: ScheduleSettings, nowMs: number): number {
  return intervalAt(settings.zone, settings.stepMs, nowMs - settings.delayMs).startMs;
}

/** The due intervals watched for restatement, oldest first. */
export function watchedIntervals(settings: ScheduleSettings, nowMs: number): ExportInterval[] {
  const boundary = dueBoundary(settings, nowMs);
  return intervalsOverlapping(
    settings.zone,
    settings.stepMs,
    nowMs - settings.restateWindowMs,
    boundary,
  ).filter((i) => i.endMs <= boundary);
}

export function planTick(
  settings: ScheduleSettings,
  nowMs: number,
  targets: readonly string[],
  state: ScheduleState,
  watched: readonly { readonly interval: ExportInterval; readonly hash: string }[],
): SchedulePlan {
  const { zone, stepMs } = settings;
  const boundary = dueBoundary(settings, nowMs);
  const jobs: PlannedJob[] = [];
  const cursors = new Map<string, number>();
  for (const target of targets) {
    const from = state.cursors.get(target) ?? intervalAt(zone, stepMs, boundary - 1).startMs;
    let interval = intervalAt(zone, stepMs, from);
    let count = 0;
    while (interval.startMs < boundary && count < settings.maxIntervalsPerTick) {
      jobs.push({ target, interval, reason: 'scheduled' });
      interval = nextInterval(zone, stepMs, interval);
      count++;
    }
    if (count > 0) cursors.set(target, interval.startMs);
  }

  const fingerprints = new Map<number, string>();
  for (const { interval, hash } of watched) {
    const previous = state.fingerprints.get(interval.startMs);
    if (previous === hash) continue;
    fingerprints.set(interval.startMs, hash);
    if (previous === undefined) continue;
    for (const target of targets) {
      const cursor = state.cursors.get(target);
      if (cursor !== undefined && cursor > interval.startMs)
        jobs.push({ target, interval, reason: 'restated' });
    }
  }
  const oldest = watched[0]?.interval.startMs ?? boundary;
  const forget = [...state.fingerprints.keys()].filter((start) => start < oldest);
  return { jobs, cursors, fingerprints, forget };
}
