import { randomUUID } from 'node:crypto';

import { formatInstant, parseOffsetInstant } from '@wfm-stream/core';
import { z } from 'zod';

import type { ExportInterval } from './intervals.js';

/**
 * An export job: "deliver this interval to this target". Jobs are messages on the jobs
 * topic (TOPIC_EXPORT_JOBS), keyed by target so one target's jobs stay in one partition,
 * in order. A job names the interval, not its figures: the worker computes the records
 * when it runs, so a job that waited (retries, a parked job re-driven days later) still
 * delivers the interval as it stands then.
 */
export const JOB_REASONS = ['scheduled', 'restated', 'reexport', 'redrive'] as const;
export type JobReason = (typeof JOB_REASONS)[number];

export interface ExportJob {
  /** Contract version. */
  readonly v: 1;
  /** Unique per enqueue: a re-driven job gets a new id (and `redriveOf`). */
  readonly id: string;
  readonly target: string;
  /** Interval start, UTC (`2026-03-29T00:15:00Z`). */
  readonly intervalStart: string;
  /** Interval end, UTC, exclusive. */
  readonly intervalEnd: string;
  readonly reason: JobReason;
  readonly createdAt: string;
  /** The parked job this one re-drives. */
  readonly redriveOf?: string | undefined;
}

/** Target names end up in keys, file names and message keys: keep them plain. */
export const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const instant = z.string().refine((s) => parseOffsetInstant(s) !== undefined, {
  message: 'must be a date-time with offset',
});

const jobSchema = z
  .object({
    v: z.literal(1),
    id: z.string().min(1).max(200),
    target: z.string().regex(TARGET_NAME, 'is not a target name'),
    intervalStart: instant,
    intervalEnd: instant,
    reason: z.enum(JOB_REASONS),
    createdAt: instant,
    redriveOf: z.string().min(1).max(200).optional(),
  })
  .refine((job) => Date.parse(job.intervalEnd) > Date.parse(job.intervalStart), {
    message: 'intervalEnd must be after intervalStart',
    path: ['intervalEnd'],
  });

/** Headers every job message carries, so tools can read a job without parsing it. */
export const JOB_HEADERS = {
  id: 'wfm.export.job-id',
  target: 'wfm.export.target',
  intervalStart: 'wfm.export.interval-start',
  reason: 'wfm.export.job-reason',
} as const;

export function newJob(
  target: string,
  interval: ExportInterval,
  reason: JobReason,
  nowMs: number,
  redriveOf?: string,
): ExportJob {
  return {
    v: 1,
    id: randomUUID(),
    target,
    intervalStart: formatInstant(interval.startMs),
    intervalEnd: formatInstant(interval.endMs),
    reason,
    createdAt: formatInstant(nowMs),
    ...(redriveOf === undefined ? {} : { redriveOf }),
  };
}

export function jobInterval(job: ExportJob): ExportInterval {
  return { startMs: Date.parse(job.intervalStart), endMs: Date.parse(job.intervalEnd) };
}

export interface JobMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

export function encodeJob(job: ExportJob): JobMessage {
  return {
    key: job.target,
    value: Buffer.from(JSON.stringify(job)),
    headers: {
      [JOB_HEADERS.id]: job.id,
      [JOB_HEADERS.target]: job.target,
      [JOB_HEADERS.intervalStart]: job.intervalStart,
      [JOB_HEADERS.reason]: job.reason,
    },
  };
}

export type DecodedJob = { ok: true; job: ExportJob } | { ok: false; reason: string };

/** A job from message bytes, or why they are not one. */
export function decodeJob(value: Buffer | null): DecodedJob {
  if (value === null) return { ok: false, reason: 'empty message' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = jobSchema.safeParse(parsed);
  if (result.success) return { ok: true, job: result.data };
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return {
    ok: false,
    reason: `invalid job: ${path === '' ? '' : `${path} `}${issue?.message ?? ''}`,
  };
}
