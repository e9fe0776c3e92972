import { MINUTE_MS, parseDayNumber, TimeZone } from '@wfm-stream/core';
import { intervalsOfDay } from '@wfm-stream/export';
import type { WfmEvent } from '@wfm-stream/schemas';
import { connectRedis, initialStateKeys, type RedisClient } from '@wfm-stream/store';
import { redisConnection, redisNamespace, testRedis } from '@wfm-stream/testing';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RecordSource } from './index.js';
import { applyEvents, simulate } from './testing/events.js';
import { referenceRecords } from './testing/reference.js';

const ns = redisNamespace();
const berlin = TimeZone.of('Europe/Berlin')!;
// the autumn change: a 25-hour day, the hour 02:00–03:00 twice
const DAY = parseDayNumber('2024-10-27')!;
let redis: RedisClient;
let events: WfmEvent[];
let source: RecordSource;

beforeAll(async () => {
  redis = connectRedis(redisConnection());
  const keys = initialStateKeys(ns.prefix);
  events = simulate(berlin, berlin.startOfDay(DAY), berlin.startOfDay(DAY + 1), { seed: 7 });
  await applyEvents(redis, keys, berlin, events);
  source = new RecordSource(redis, keys);
});

afterAll(async () => {
  redis.disconnect();
  await ns.cleanup();
});

describe('the records of a simulated day', () => {
  it('match a recomputation from the raw events, interval by interval (15 minutes, DST day)', async () => {
    const intervals = intervalsOfDay(berlin, 15 * MINUTE_MS, DAY);
    expect(intervals).toHaveLength(100);
    const started = performance.now();
    const computed = await source.compute(intervals);
    const elapsedMs = performance.now() - started;
    const expected = referenceRecords(events, intervals);
    expect(computed).toEqual(expected);

    // the day is not trivial: every record set is well populated, the repeated hour too
    const offered = computed.reduce(
      (n, r) => n + r.queueStatistics.reduce((m, q) => m + q.offeredContacts, 0),
      0,
    );
    const activity = computed.reduce((n, r) => n + r.agentActivity.length, 0);
    const logins = computed.reduce((n, r) => n + r.agentLogin.length, 0);
    expect(offered).toBeGreaterThan(500); // a Sunday: 40 % of a weekday
    expect(activity).toBeGreaterThan(500);
    expect(logins).toBeGreaterThan(500);
    expect(computed.some((r) => r.agentLogin.some((l) => l.directOutContacts > 0))).toBe(true);
    expect(computed.some((r) => r.agentActivity.some((a) => a.completedContacts > 0))).toBe(true);
    // 01:00Z–01:15Z is 02:00–02:15 CET, the second time 02:00 comes that night
    expect(computed[12]?.queueStatistics[0]?.intervalStartDateTime).toBe('2024-10-27T01:00:00Z');
    expect(elapsedMs).toBeLessThan(10_000);
  });

  it('match it with 1-minute buckets too (a 10-minute step)', async () => {
    const intervals = intervalsOfDay(berlin, 10 * MINUTE_MS, DAY);
    expect(intervals).toHaveLength(150);
    expect(await source.compute(intervals)).toEqual(referenceRecords(events, intervals));
  });

  it('match it for one interval computed alone, as the worker computes it', async () => {
    const intervals = intervalsOfDay(berlin, 15 * MINUTE_MS, DAY);
    for (const index of [0, 40, 60, 99]) {
      const interval = intervals[index]!;
      expect(await source.compute([interval])).toEqual(referenceRecords(events, [interval]));
    }
  });
});

/**
 * The commands the run's Redis receives for this test's keys while `work` runs, by name,
 * seen through MONITOR on every master (a cluster's too). A marker ECHOed to each master
 * after the work tells when its MONITOR has shown everything before it.
 */
async function commandsDuring(work: () => Promise<unknown>): Promise<Map<string, number>> {
  const client = testRedis();
  const masters = client instanceof Cluster ? client.nodes('master') : [client];
  const counts = new Map<string, number>();
  const marker = `${ns.prefix}:monitor-marker:${Math.random()}`;
  const seen = new Set<number>();
  const monitors = await Promise.all(masters.map((m) => m.monitor()));
  try {
    monitors.forEach((monitor, i) =>
      monitor.on('monitor', (_time: string, args: string[]) => {
        const [name = '', first = ''] = args;
        if (name.toLowerCase() === 'echo' && first === marker) seen.add(i);
        else if (first.startsWith(ns.prefix))
          counts.set(name.toLowerCase(), (counts.get(name.toLowerCase()) ?? 0) + 1);
      }),
    );
    await work();
    await Promise.all(masters.map((m) => m.echo(marker)));
    await expect.poll(() => seen.size, { timeout: 10_000 }).toBe(masters.length);
    return counts;
  } finally {
    for (const monitor of monitors) monitor.disconnect();
    client.disconnect();
  }
}

describe('the reads of a run of intervals', () => {
  // docs/capacity.md, "Soak": a tick computes every interval of the restate window; its
  // reads must be those of the run's agent-days, not one set per interval
  it('do not grow with the number of intervals in the run', async () => {
    const intervals = intervalsOfDay(berlin, 15 * MINUTE_MS, DAY);
    // 08:00Z–18:00Z: one UTC day, like the single interval at its start
    const one = intervals.slice(40, 41);
    const forty = intervals.slice(40, 80);
    expect(forty[39]!.endMs - forty[0]!.startMs).toBe(10 * 60 * MINUTE_MS);
    const alone = await commandsDuring(() => source.compute(one));
    const run = await commandsDuring(() => source.compute(forty));
    expect(alone.get('hgetall') ?? 0).toBeGreaterThan(20); // the agents' chats:<day>, and more
    // the agents' calls:<day> are read through their index by time (agent-calls-window-2.lua),
    // which HMGETs only where the period has contacts: that count follows the data, at most
    // one per agent-day read (each of which asks EXISTS of its index first)
    const besides = (counts: Map<string, number>): Map<string, number> =>
      new Map([...counts].filter(([name]) => name !== 'hmget'));
    expect(besides(run)).toEqual(besides(alone));
    expect(run.get('hmget') ?? 0).toBeLessThanOrEqual(run.get('exists') ?? 0);
  });
});
