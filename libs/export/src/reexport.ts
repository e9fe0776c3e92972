import type { TimeZone } from '@wfm-stream/core';

import { intervalsOverlapping } from './intervals.js';
import { type ExportJob, newJob } from './job.js';

/** The most jobs one re-export may enqueue: a year of 15-minute intervals for one target. */
export const MAX_REEXPORT_JOBS = 40_000;

export interface ReexportRequest {
  readonly zone: TimeZone;
  readonly stepMs: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly targets: readonly string[];
  readonly nowMs: number;
}

/**
 * Jobs that re-export every closed interval overlapping [from, to) to each target, in
 * time order per target; undefined when that would be more than MAX_REEXPORT_JOBS.
 * Intervals that have not ended by `nowMs` are left out: the scheduler exports them
 * when they close, and a partial interval is not sent ahead of it.
 */
export function reexportJobs(request: ReexportRequest): ExportJob[] | undefined {
  const { zone, stepMs, fromMs, toMs, targets, nowMs } = request;
  const perTarget = Math.floor(MAX_REEXPORT_JOBS / Math.max(1, targets.length));
  const intervals = intervalsOverlapping(
    zone,
    stepMs,
    fromMs,
    Math.min(toMs, nowMs),
    perTarget + 1,
  ).filter((interval) => interval.endMs <= nowMs);
  if (intervals.length > perTarget) return undefined;
  return targets.flatMap((target) =>
    intervals.map((interval) => newJob(target, interval, 'reexport', nowMs)),
  );
}
