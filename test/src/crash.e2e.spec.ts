import type { ManagedProcess } from '@wfm-stream/local-stack';
import {
  redisNamespace,
  testKafka,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
} from '@wfm-stream/testing';
import { afterAll, describe, expect, it } from 'vitest';

import { answersOn, expectSameAnswers, trafficPeriod } from './support/answers.js';
import { committedByTopic, endsByTopic, metricTotal, sumOf } from './support/metrics.js';
import { startReferenceAggregator } from './support/reference.js';
import { serviceEnv, spawnService, waitForReady } from './support/services.js';
import { createStreamTopics, publishTraffic, streamsOf, uniqueTopics } from './support/topics.js';
import { random, syntheticTraffic } from './support/traffic.js';

const reference = redisNamespace();
const crashed = redisNamespace();
const topics = uniqueTopics();
const base = serviceEnv(topics, { PARTITIONS_CONSUMED_CONCURRENTLY: '2' });
const running: ManagedProcess[] = [];

afterAll(async () => {
  for (const p of running) await p.stop({ signal: 'SIGKILL' });
  await reference.cleanup();
  await crashed.cleanup();
});

const startProcess = (groupId: string, prefix: string) =>
  spawnService(
    'aggregator',
    { ...base, CONSUMER_GROUP: groupId, REDIS_KEY_PREFIX: prefix },
    { running },
  );

describe('an aggregator killed mid-stream', () => {
  it('converges, after restarts, to the answers of an uninterrupted run', async () => {
    await createStreamTopics(topics, { contacts: 3, agents: 3 });
    const traffic = syntheticTraffic({ seed: 7, contacts: 6_000, groups: 12, agents: 30 });
    await publishTraffic(testKafka(), topics, traffic);
    const streams = streamsOf(topics);

    // the uninterrupted run, in process
    const uninterrupted = await startReferenceAggregator(base, reference.prefix);

    // the crashing run: killed with SIGKILL mid-work, then restarted. Each life is killed
    // once it has processed a random share of the events (below a quarter of them), so the
    // kills land mid-stream whatever the speed of the machine.
    const admin = testKafka().admin();
    await admin.connect();
    const total = sumOf(await endsByTopic(admin, streams));
    const crashGroup = uniqueName('crashing');
    const rnd = random(11);
    const kills = 3;
    for (let k = 0; k < kills; k++) {
      const life = await startProcess(crashGroup, crashed.prefix);
      await waitForReady(life, { message: 'the aggregator to join its group' });
      const share = Math.floor(total * (0.05 + rnd() * 0.2));
      await waitFor(
        async () => (await metricTotal(life.url, 'wfm_events_consumed_total')) >= share,
        {
          timeoutMs: 60_000,
          intervalMs: 5,
          message: `the aggregator to process ${share} events`,
        },
      );
      await life.proc.stop({ signal: 'SIGKILL' });
    }
    // the kills landed mid-stream: some state was written, but not all of it was committed
    const committed = sumOf(await committedByTopic(admin, crashGroup, streams));
    await admin.disconnect();
    expect(committed).toBeLessThan(total);
    expect((await crashed.keys(`${crashed.prefix}:*`)).length).toBeGreaterThan(0);

    const { proc: last } = await startProcess(crashGroup, crashed.prefix);

    await waitForGroupCaughtUp(uninterrupted.group, streams, { timeoutMs: 90_000 });
    await waitForGroupCaughtUp(crashGroup, streams, { timeoutMs: 90_000 });
    await uninterrupted.aggregator.stop();
    expect((await last.stop()).code).toBe(0);

    const expected = await answersOn(reference.prefix, trafficPeriod(traffic));
    const actual = await answersOn(crashed.prefix, trafficPeriod(traffic));
    expectSameAnswers(actual, expected);
  });
});
