import { Health, STATUS_RECORDS } from '@wfm-stream/observability';
import { redisNamespace, testStack, waitFor } from '@wfm-stream/testing';
import { afterAll, describe, expect, it } from 'vitest';

import { connectRedis } from '../connection.js';
import { StatusKeys } from '../keys.js';
import { ChangeNotifier, type ChangeStream, subscribeToChanges } from '../live/change-notices.js';
import { StatusBoard } from './status-board.js';
import { startStatusReporter } from './status-reporter.js';

const ns = redisNamespace();
const redis = connectRedis({
  url: testStack().redisUrl,
  clusterNodes: testStack().redisClusterNodes,
});

afterAll(async () => {
  redis.disconnect();
  await ns.cleanup();
});

describe('the status board', () => {
  it('shows each reporting instance, with its sections, and forgets it when it stops', async () => {
    const health = new Health();
    health.register('redis');
    health.set('redis', true);
    const reporter = startStatusReporter({
      redis,
      keyPrefix: ns.prefix,
      service: 'aggregator',
      health,
      intervalMs: 60_000,
      collectors: [
        () =>
          Promise.resolve({
            status: { consumer: { group: 'g', lag: 3, eventsPerSecond: 1.5, deadLettered: 2 } },
            ops: [
              { op: 'inc', name: STATUS_RECORDS.deadLetters, field: 'g', value: 2 },
              { op: 'push', name: STATUS_RECORDS.deadLetterRecent, value: '{"atMs":1}' },
              { op: 'max', name: STATUS_RECORDS.exportDelivered, field: 't', value: 900 },
              { op: 'max', name: STATUS_RECORDS.exportDelivered, field: 't', value: 600 },
              { op: 'set', name: 'not a name!', field: 'x', value: 'ignored' },
            ],
          }),
      ],
    });
    const board = new StatusBoard(redis, ns.prefix);
    const read = () =>
      board.read(
        [STATUS_RECORDS.deadLetters, STATUS_RECORDS.exportDelivered],
        [STATUS_RECORDS.deadLetterRecent],
      );
    const first = await waitFor(async () => {
      const r = await read();
      return r.instances.length === 1 ? r : undefined;
    });
    expect(first.instances[0]).toMatchObject({
      service: 'aggregator',
      instance: reporter.member,
      health: { live: true, ready: true },
      consumer: { group: 'g', lag: 3 },
    });
    expect(first.records.get(STATUS_RECORDS.deadLetters)).toEqual({ g: '2' });
    expect(first.records.get(STATUS_RECORDS.exportDelivered)).toEqual({ t: '900' });
    expect(first.lists.get(STATUS_RECORDS.deadLetterRecent)).toEqual(['{"atMs":1}']);
    // the lasting records accumulate report after report
    await reporter.report();
    expect((await read()).records.get(STATUS_RECORDS.deadLetters)).toEqual({ g: '4' });
    // the keys share one hash tag
    const keys = await ns.keys(`${ns.prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith(new StatusKeys(ns.prefix).prefix)).toBe(true);

    await reporter.stop();
    expect((await read()).instances).toEqual([]);
  });

  it('writes snapshots that expire by themselves', async () => {
    const reporter = startStatusReporter({
      redis,
      keyPrefix: `${ns.prefix}-ttl`,
      service: 'reader',
      health: new Health(),
      intervalMs: 1_000,
    });
    const board = new StatusBoard(redis, `${ns.prefix}-ttl`);
    await waitFor(async () => (await board.read()).instances.length === 1);
    // a snapshot lives three intervals (at least 5 s): an instance that dies is gone soon
    const key = new StatusKeys(`${ns.prefix}-ttl`).instance(reporter.member);
    const ttl = await ns.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    await reporter.stop();
  });
});

describe('change notices', () => {
  it('reach a subscriber, coalesced within the gap', async () => {
    const heard: ChangeStream[] = [];
    const subscription = await subscribeToChanges(redis, ns.prefix, (stream) => heard.push(stream));
    const notifier = new ChangeNotifier(redis, ns.prefix, { minGapMs: 200 });
    notifier.notify('contacts');
    notifier.notify('contacts');
    notifier.notify('contacts');
    notifier.notify('agents');
    await waitFor(
      () => heard.filter((s) => s === 'contacts').length === 2 && heard.includes('agents'),
    );
    // one at once, one for the two that came within the gap
    expect(heard.filter((s) => s === 'contacts')).toHaveLength(2);
    await redis.publish(`${ns.prefix}:changes`, 'nonsense');
    notifier.notify('directory');
    await waitFor(() => heard.includes('directory'));
    expect(heard).not.toContain('nonsense');
    notifier.close();
    await subscription.stop();
  });
});
