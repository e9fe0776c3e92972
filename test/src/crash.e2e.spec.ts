import { testKafka, uniqueName, waitFor, waitForGroupCaughtUp } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { answersOn, expectSameAnswers, trafficPeriod } from './support/answers.js';
import { committedByTopic, endsByTopic, metricTotal, sumOf } from './support/metrics.js';
import { pipelineStack } from './support/stack.js';
import { publishTraffic } from './support/topics.js';
import { random, syntheticTraffic } from './support/traffic.js';

const stack = pipelineStack({ env: { PARTITIONS_CONSUMED_CONCURRENTLY: '2' } });
const { topics, streams } = stack;
const reference = stack.namespace();
const crashed = stack.namespace();

describe('an aggregator killed mid-stream', () => {
  it('converges, after restarts, to the answers of an uninterrupted run', async () => {
    await stack.createTopics({ contacts: 3, agents: 3 });
    const traffic = syntheticTraffic({ seed: 7, contacts: 6_000, groups: 12, agents: 30 });
    await publishTraffic(testKafka(), topics, traffic);

    // the uninterrupted run, in process
    const uninterrupted = await stack.reference(reference.prefix);

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
      const life = await stack.startAggregator(crashGroup, crashed.prefix, {
        message: 'the aggregator to join its group',
      });
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

    const { proc: last } = await stack.spawnAggregator(crashGroup, crashed.prefix);

    await waitForGroupCaughtUp(uninterrupted.group, streams, { timeoutMs: 90_000 });
    await waitForGroupCaughtUp(crashGroup, streams, { timeoutMs: 90_000 });
    await uninterrupted.aggregator.stop();
    expect((await last.stop()).code).toBe(0);

    const expected = await answersOn(reference.prefix, trafficPeriod(traffic));
    const actual = await answersOn(crashed.prefix, trafficPeriod(traffic));
    expectSameAnswers(actual, expected);
  });
});
