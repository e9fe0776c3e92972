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
 * Jobs that re-export every interval overlapping [from, to) to each target, in time
 * order per target; undefined when that would be more than MAX_REEXPORT_JOBS.
 */
export function reexportJobs(request: ReexportRequest): ExportJob[] | undefined {
  const { zone, stepMs, fromMs, toMs, targets, nowMs } = request;
  const perTarget = Math.floor(MAX_REEXPORT_JOBS / Math.max(1, targets.length));
  const intervals = intervalsOverlapping(zone, stepMs, fromMs, toMs, perTarget + 1);
  if (intervals.length > perTarget) return undefined;
  return targets.flatMap((target) =>
    intervals.map((interval) => newJob(target, interval, 'reexport', nowMs)),
  );
}
