import { spawnManaged } from '@wfm-stream/local-stack';
import type { WfmEvent } from '@wfm-stream/schemas';
import { GenerationPointer } from '@wfm-stream/store';
import { testKafka, uniqueName, waitForGroupCaughtUp } from '@wfm-stream/testing';
import { Partitioners, type Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import {
  answersOn,
  expectSameAnswers,
  READER_KEY,
  readerOn,
  trafficPeriod,
} from './support/answers.js';
import { sendEvents } from './support/publish.js';
import { CLI_MAIN } from './support/services.js';
import { pipelineStack } from './support/stack.js';
import { syntheticTraffic } from './support/traffic.js';

const stack = pipelineStack({ env: { PARTITIONS_CONSUMED_CONCURRENTLY: '2' } });
const { topics, streams, env: base } = stack;
const reference = stack.namespace();
const deployment = stack.namespace();

const send = (producer: Producer, events: readonly WfmEvent[], topic: string): Promise<void> =>
  sendEvents(producer, topic, events, 1_000);

function split<T>(items: readonly T[], ...fractions: number[]): T[][] {
  const parts: T[][] = [];
  let from = 0;
  for (const f of fractions) {
    const to = Math.round(items.length * f);
    parts.push(items.slice(from, to));
    from = to;
  }
  parts.push(items.slice(from));
  return parts;
}

describe('wfm-stream rebuild', () => {
  it('rebuilds the state from the topics while events flow, switches readers without an error, and equals an uninterrupted run', async () => {
    await stack.createTopics({ contacts: 3, agents: 3 });
    const traffic = syntheticTraffic({ seed: 23, contacts: 5_000, groups: 10, agents: 24 });
    // history before the rebuild, traffic while it catches up, traffic across the switch
    const [contactsBefore = [], contactsDuring = [], contactsAfter = []] = split(
      traffic.contacts,
      0.5,
      0.75,
    );
    const [agentsBefore = [], agentsDuring = [], agentsAfter = []] = split(
      traffic.agents,
      0.5,
      0.75,
    );
    const producer = testKafka().producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    stack.onTeardown(() => producer.disconnect());
    await send(producer, traffic.directory, topics.TOPIC_DIRECTORY);
    await send(producer, contactsBefore, topics.TOPIC_CONTACT_EVENTS);
    await send(producer, agentsBefore, topics.TOPIC_AGENT_EVENTS);

    // the reference: one aggregator that reads everything, never rebuilt
    const uninterrupted = await stack.reference(reference.prefix);

    // the deployment: a live aggregator process, following the generation pointer
    const liveGroup = uniqueName('live');
    const { proc: live } = await stack.spawnAggregator(liveGroup, deployment.prefix);
    await waitForGroupCaughtUp(liveGroup, streams, { timeoutMs: 60_000 });
    const pointer = new GenerationPointer(deployment.redis, deployment.prefix);
    expect(await pointer.read()).toBe('g0');

    // damage the live state, as a bug would: the rebuild must recompute, not copy
    // a group's current state and its months (docs/architecture.md, "A group's months")
    const damaged = [
      ...(await deployment.keys(`${deployment.prefix}:g0:{g:g1}*`)),
      ...(await deployment.keys(`${deployment.prefix}:g0:{gm:*:g1}*`)),
    ];
    expect(damaged.length).toBeGreaterThan(0);
    // one key a command: on a Redis Cluster a command's keys share a slot
    await Promise.all(damaged.map((key) => deployment.redis.unlink(key)));

    // a WFM polling the reader throughout
    const reader = await readerOn(deployment.prefix);
    stack.onTeardown(() => reader.stop());
    const polled: number[] = [];
    let polling = true;
    const poller = (async () => {
      const url =
        '/historic/serviceGroupData?startDate=2024-01-08T00:00:00Z&endDate=2024-01-09T00:00:00Z' +
        `&step=900000&groupId=${traffic.groupIds.join(',')}`;
      while (polling) {
        const response = await reader.app.inject({
          method: 'GET',
          url,
          headers: { 'x-api-key': READER_KEY },
        });
        polled.push(response.statusCode);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // a high --max-lag switches as soon as the history of the start is rebuilt, with the
    // live traffic since still to do: the drain after the switch must bring it in
    const rebuild = spawnManaged(
      'rebuild',
      process.execPath,
      [CLI_MAIN, 'rebuild', '--max-lag', '1000000'],
      {
        env: { ...process.env, ...base, REDIS_KEY_PREFIX: deployment.prefix },
        pipe: true,
      },
    );
    stack.onTeardown(() => rebuild.stop({ signal: 'SIGKILL' }));
    let output = '';
    rebuild.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    rebuild.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    // live traffic while the rebuild catches up, until the pointer switches …
    let switchedAfter = -1;
    for (let i = 0; ; i += 100) {
      if ((await pointer.read()) === 'g1') {
        switchedAfter = i;
        break;
      }
      if (i < Math.max(contactsDuring.length, agentsDuring.length)) {
        await send(producer, contactsDuring.slice(i, i + 100), topics.TOPIC_CONTACT_EVENTS);
        await send(producer, agentsDuring.slice(i, i + 100), topics.TOPIC_AGENT_EVENTS);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
      expect(rebuild.hasExited(), output).toBe(false);
    }
    // … and across it, while the live aggregator may still write g0 and the rebuild drains
    for (let i = 0; i < Math.max(contactsAfter.length, agentsAfter.length); i += 100) {
      await send(producer, contactsAfter.slice(i, i + 100), topics.TOPIC_CONTACT_EVENTS);
      await send(producer, agentsAfter.slice(i, i + 100), topics.TOPIC_AGENT_EVENTS);
    }
    await send(producer, contactsDuring.slice(switchedAfter), topics.TOPIC_CONTACT_EVENTS);
    await send(producer, agentsDuring.slice(switchedAfter), topics.TOPIC_AGENT_EVENTS);

    const status = await rebuild.exited;
    expect(status.code, output).toBe(0);
    expect(output).toMatch(/switched the generation pointer to g1/);
    expect(output).toMatch(/deleted [\d,]+ keys of g0/);
    await waitForGroupCaughtUp(liveGroup, streams, { timeoutMs: 60_000 });
    await waitForGroupCaughtUp(uninterrupted.group, streams, { timeoutMs: 60_000 });
    polling = false;
    await poller;

    // readers and the live aggregator moved; the old generation is gone
    expect(await pointer.read()).toBe('g1');
    expect([...(await pointer.seen()).values()]).toEqual(['g1']);
    expect(await deployment.keys(`${deployment.prefix}:g0:*`)).toEqual([]);
    // the WFM never saw an error, before, during or after the switch
    expect(polled.length).toBeGreaterThan(10);
    expect(polled.filter((s) => s !== 200)).toEqual([]);

    // the rebuilt state, kept up to date by the live aggregator since, equals a run that
    // was never rebuilt (and the damage is gone)
    expect((await live.stop()).code).toBe(0);
    const expected = await answersOn(reference.prefix, trafficPeriod(traffic));
    const actual = await answersOn(deployment.prefix, trafficPeriod(traffic));
    expectSameAnswers(actual, expected);
  });
});
