import { HOUR_MS, MINUTE_MS, TimeZone } from '@wfm-stream/core';
import { decodeJob, type ExportJob, readTopic } from '@wfm-stream/export';
import { createRegistry, silentLogger } from '@wfm-stream/observability';
import type { WfmEvent } from '@wfm-stream/schemas';
import { ExportKeys, type RedisClient } from '@wfm-stream/store';
import { waitFor } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  commitSchedule,
  ExporterMetrics,
  RecordSource,
  Scheduler,
  SchedulerLease,
} from './index.js';
import { applyEvents, simulate } from './testing/events.js';
import { ExporterFixture } from './testing/fixture.js';

const fx = new ExporterFixture();
const { kafka, topics, queue, keys } = fx;
const exportKeys = new ExportKeys(fx.ns.prefix);
const Q = 15 * MINUTE_MS;
const at = (hh: number, mm: number): number => Date.UTC(2024, 5, 3, hh, mm);
let redis: RedisClient;
let events: WfmEvent[];
let now = at(10, 16);

function scheduler(
  owner: string,
  leaseTtlMs: number,
): { scheduler: Scheduler; lease: SchedulerLease } {
  const lease = new SchedulerLease(redis, exportKeys, owner, leaseTtlMs);
  return {
    lease,
    scheduler: new Scheduler({
      redis,
      keys: exportKeys,
      lease,
      queue,
      source: new RecordSource(redis, keys),
      settings: {
        zone: TimeZone.UTC,
        stepMs: Q,
        delayMs: MINUTE_MS,
        restateWindowMs: HOUR_MS,
        maxIntervalsPerTick: 500,
      },
      targets: ['t1', 't2'],
      tickMs: 60_000,
      logger: silentLogger(),
      metrics: new ExporterMetrics(createRegistry('test')),
      now: () => now,
    }),
  };
}

beforeAll(async () => {
  events = simulate(TimeZone.UTC, at(6, 0), at(12, 0));
  await fx.start({ zone: TimeZone.UTC, events, jobPartitions: 2, deadLetterTopic: false });
  redis = fx.redis;
});

afterAll(async () => {
  await fx.stop();
});

const label = (j: { interval: { startMs: number }; target: string; reason: string }): string =>
  `${j.target} ${new Date(j.interval.startMs).toISOString().slice(11, 16)} ${j.reason}`;
/** What a tick of `s` enqueued, `target hh:mm reason` each. */
const tick = async (s: { scheduler: Scheduler }): Promise<string[]> =>
  (await s.scheduler.tick()).jobs.map(label);
/** The same intervals for both targets, t1's first, labelled as `tick` does. */
const forBoth = (reason: string, ...starts: string[]): string[] =>
  ['t1', 't2'].flatMap((target) => starts.map((start) => `${target} ${start} ${reason}`));

describe('the scheduler', () => {
  it('runs once across replicas, survives a takeover and a restart, and re-enqueues restated intervals', async () => {
    const a = scheduler('a', 1_000);
    const b = scheduler('b', 60_000);

    // one leader: A enqueues the latest due interval, B stands by
    expect(await tick(a)).toEqual(forBoth('scheduled', '10:00'));
    expect(await b.scheduler.tick()).toEqual({ leader: false, jobs: [] });

    // 45 minutes later A enqueues what closed meanwhile, nothing twice
    now = at(11, 1);
    expect(await tick(a)).toEqual(forBoth('scheduled', '10:15', '10:30', '10:45'));

    // A stalls; once its lease expires B takes over where A left off
    const stale = a.lease.value!;
    const takeover = await waitFor(
      async () => {
        const result = await b.scheduler.tick();
        return result.leader ? result : undefined;
      },
      { intervalMs: 100, message: 'B to take the lease' },
    );
    expect(takeover.jobs).toEqual([]);
    expect(Number(b.lease.value!.split(':')[0])).toBeGreaterThan(Number(stale.split(':')[0]));

    // A wakes up: its fenced write is refused, and it does not act
    const written = await commitSchedule(redis, {
      keys: exportKeys,
      lease: stale,
      cursors: new Map([['t1', at(0, 0)]]),
      fingerprints: new Map(),
      forget: [],
    });
    expect(written).toBe(false);
    expect(await redis.hget(exportKeys.cursors(), 't1')).toBe(String(at(11, 0)));
    expect(await a.scheduler.tick()).toEqual({ leader: false, jobs: [] });

    now = at(11, 31);
    expect(await tick(b)).toEqual(forBoth('scheduled', '11:00', '11:15'));

    // a late contact in 11:05 restates 11:00–11:15 for both targets, once
    const groupId = events.find((e) => e.type === 'group.upserted')!.groupId;
    const late: WfmEvent[] = [
      {
        eventId: 'late-o',
        type: 'contact.offered',
        occurredAt: new Date(at(11, 5)).toISOString(),
        contactId: 'late-contact',
        groupId,
        channel: 'INCOMING_CALLS',
      },
    ];
    await applyEvents(redis, keys, TimeZone.UTC, late);
    now = at(11, 32);
    expect(await tick(b)).toEqual(forBoth('restated', '11:00'));
    expect((await b.scheduler.tick()).jobs).toEqual([]);

    // a restart (B stops and releases the lease; C starts) neither skips nor repeats
    await b.scheduler.stop();
    const c = scheduler('c', 60_000);
    now = at(11, 47);
    expect(await tick(c)).toEqual(forBoth('scheduled', '11:30'));
    await c.scheduler.stop();

    // on the topic: each target's intervals once each, in order, in one partition
    const messages = await readTopic(kafka, topics.jobs);
    const jobs = messages.map((m) => {
      const decoded = decodeJob(m.value);
      if (!decoded.ok) throw new Error(decoded.reason);
      return { job: decoded.job, partition: m.partition, key: m.key?.toString() };
    });
    for (const target of ['t1', 't2']) {
      const mine = jobs.filter((j) => j.job.target === target);
      expect(new Set(mine.map((j) => j.partition)).size).toBe(1);
      expect(mine.every((j) => j.key === target)).toBe(true);
      const scheduled = mine.filter((j) => j.job.reason === 'scheduled').map((j) => j.job);
      expect(scheduled.map((j: ExportJob) => j.intervalStart.slice(11, 16))).toEqual([
        '10:00',
        '10:15',
        '10:30',
        '10:45',
        '11:00',
        '11:15',
        '11:30',
      ]);
      expect(
        mine.filter((j) => j.job.reason === 'restated').map((j) => j.job.intervalStart),
      ).toEqual(['2024-06-03T11:00:00Z']);
    }
  });
});
