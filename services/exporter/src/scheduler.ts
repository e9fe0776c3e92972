import { type ExportQueue, newJob, recordsHash } from '@wfm-stream/export';
import type { Logger } from '@wfm-stream/observability';
import type { ExportKeys, RedisClient } from '@wfm-stream/store';

import type { SchedulerLease } from './lease.js';
import type { ExporterMetrics } from './metrics.js';
import type { RecordSource } from './record-source.js';
import {
  type PlannedJob,
  planTick,
  type ScheduleSettings,
  type ScheduleState,
  watchedIntervals,
} from './schedule-plan.js';
import { commitSchedule } from './scripts.js';

export interface SchedulerOptions {
  readonly redis: RedisClient;
  readonly keys: ExportKeys;
  readonly lease: SchedulerLease;
  readonly queue: ExportQueue;
  readonly source: RecordSource;
  readonly settings: ScheduleSettings;
  readonly targets: readonly string[];
  readonly tickMs: number;
  readonly logger: Logger;
  readonly metrics: ExporterMetrics;
  readonly now: () => number;
}

export interface TickResult {
  readonly leader: boolean;
  readonly jobs: readonly PlannedJob[];
}

/**
 * Enqueues export jobs (schedule-plan.ts says which) while it holds the lease. A tick:
 * renew or take the lease; read the cursors and fingerprints; compute the watched
 * intervals' records to hash them; enqueue the planned jobs; then record the new cursors
 * and fingerprints with a write fenced by the lease. The jobs are on Kafka before the
 * cursors move, so a crash in between enqueues them again on the next tick (the worker
 * does not deliver the same content twice) and nothing is ever skipped; a clean restart
 * repeats nothing.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  get isLeader(): boolean {
    return this.options.lease.value !== undefined;
  }

  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error }, 'scheduler tick failed; retrying next tick');
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.options.tickMs);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.options.lease.release().catch(() => undefined);
    this.options.metrics.leader.set(0);
  }

  private async readState(): Promise<ScheduleState> {
    const { redis, keys, targets } = this.options;
    const [cursorValues, fingerprintValues] = await Promise.all([
      targets.length === 0 ? Promise.resolve([]) : redis.hmget(keys.cursors(), ...targets),
      redis.hgetall(keys.fingerprints()),
    ]);
    const cursors = new Map<string, number>();
    targets.forEach((target, i) => {
      const value = cursorValues[i];
      if (value !== null && value !== undefined) cursors.set(target, Number(value));
    });
    const fingerprints = new Map<number, string>();
    for (const [start, hash] of Object.entries(fingerprintValues))
      fingerprints.set(Number(start), hash);
    return { cursors, fingerprints };
  }

  /** One tick; exposed so tests drive the clock. */
  async tick(): Promise<TickResult> {
    const { lease, metrics, settings, targets, logger } = this.options;
    const leader = await lease.acquireOrRenew();
    metrics.leader.set(leader ? 1 : 0);
    if (!leader || targets.length === 0) return { leader, jobs: [] };
    const now = this.options.now();
    const state = await this.readState();
    const watched = watchedIntervals(settings, now);
    const records = await this.options.source.compute(watched);
    const plan = planTick(
      settings,
      now,
      targets,
      state,
      records.map((r) => ({ interval: r.interval, hash: recordsHash(r) })),
    );
    const jobs = plan.jobs.map((j) => newJob(j.target, j.interval, j.reason, now));
    await this.options.queue.enqueue(jobs);
    for (const job of plan.jobs) metrics.enqueued.inc({ target: job.target, reason: job.reason });

    const { redis, keys } = this.options;
    const written = await commitSchedule(redis, {
      keys,
      lease: lease.value ?? '',
      cursors: plan.cursors,
      fingerprints: plan.fingerprints,
      forget: plan.forget,
    });
    if (!written) {
      lease.lost();
      metrics.leader.set(0);
      logger.warn('scheduler lost its lease while enqueueing; another scheduler takes over');
      return { leader: false, jobs: plan.jobs };
    }
    if (plan.jobs.length > 0) {
      logger.info(
        {
          scheduled: plan.jobs.filter((j) => j.reason === 'scheduled').length,
          restated: plan.jobs.filter((j) => j.reason === 'restated').length,
        },
        'export jobs enqueued',
      );
    }
    return { leader: true, jobs: plan.jobs };
  }
}
