import { type WfmEvent } from '@wfm-stream/schemas';
import { testKafka, uniqueName, waitFor, waitForGroupCaughtUp } from '@wfm-stream/testing';
import { Partitioners, type Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { answersOn, expectSameAnswers, trafficPeriod } from './support/answers.js';
import { metricTotal } from './support/metrics.js';
import { sendEvents } from './support/publish.js';
import { type ServiceProcess } from './support/services.js';
import { pipelineStack } from './support/stack.js';
import { random, syntheticTraffic } from './support/traffic.js';

const stack = pipelineStack({ env: { PARTITIONS_CONSUMED_CONCURRENTLY: '2' } });
const { topics, streams } = stack;
const reference = stack.namespace();
const scaled = stack.namespace();
let producer: Producer | undefined;

async function publish(events: readonly WfmEvent[], topic: string): Promise<void> {
  if (producer === undefined) {
    const connecting = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    producer = connecting;
    stack.onTeardown(() => connecting.disconnect());
    await producer.connect();
  }
  await sendEvents(producer, topic, events, 1_000);
}

type Instance = ServiceProcess;

/** Ready once it has joined the group, i.e. once the rebalance it caused is over. */
const startInstance = (name: string, groupId: string, prefix: string): Promise<Instance> =>
  stack.startAggregator(groupId, prefix, {
    name: `aggregator-${name}`,
    message: `aggregator ${name} to join its group`,
  });

/** The instance's `wfm_events_consumed_total`, summed over topics (valid events it processed). */
const consumed = (instance: Instance): Promise<number> =>
  metricTotal(instance.url, 'wfm_events_consumed_total');

/** Waits until the instance has processed more than `than` events, and returns its count. */
function consumedMoreThan(instance: Instance, than: number, timeoutMs = 30_000): Promise<number> {
  return waitFor(
    async () => {
      const n = await consumed(instance);
      return n > than ? n : undefined;
    },
    { timeoutMs, intervalMs: 100, message: `${instance.name} to consume > ${than}` },
  );
}

/** `events` cut into `n` consecutive slices of (nearly) equal size. */
function slices<T>(events: readonly T[], n: number): T[][] {
  const size = Math.ceil(events.length / n);
  return Array.from({ length: n }, (_, i) => events.slice(i * size, (i + 1) * size));
}

describe('aggregator instances added and removed mid-stream', () => {
  it('share the work through rebalances and end with the answers of a single instance', async () => {
    await stack.createTopics({ contacts: 6, agents: 6 });
    const traffic = syntheticTraffic({ seed: 17, contacts: 6_000, groups: 12, agents: 30 });
    const CHUNKS = 6;
    const contactChunks = slices(traffic.contacts, CHUNKS);
    const agentChunks = slices(traffic.agents, CHUNKS);
    const publishChunk = async (i: number): Promise<number> => {
      await publish(contactChunks[i] ?? [], topics.TOPIC_CONTACT_EVENTS);
      await publish(agentChunks[i] ?? [], topics.TOPIC_AGENT_EVENTS);
      return (contactChunks[i]?.length ?? 0) + (agentChunks[i]?.length ?? 0);
    };

    // the reference: one in-process instance that is never disturbed
    const single = await stack.reference(reference.prefix);

    // the scaled run: processes that come and go in one consumer group
    const group = uniqueName('scaling');
    const a = await startInstance('a', group, scaled.prefix);
    await publish(traffic.directory, topics.TOPIC_DIRECTORY);
    await publishChunk(0);
    await consumedMoreThan(a, 0);

    // scale out to 2, then to 3, while A still works on the backlog: each new instance
    // joins (a rebalance), and consumes some of the next chunk on the partitions it got
    const b = await startInstance('b', group, scaled.prefix);
    await publishChunk(1);
    const bConsumed = await consumedMoreThan(b, 0);
    const c = await startInstance('c', group, scaled.prefix);
    await publishChunk(2);
    const cConsumed = await consumedMoreThan(c, 0);
    expect(bConsumed).toBeGreaterThan(0);
    expect(cConsumed).toBeGreaterThan(0);

    // scale in while a chunk is being worked on: B leaves gracefully (SIGTERM), and C
    // crashes (SIGKILL) a random moment later, typically during the rebalance B's leaving
    // started; its partitions move on after its session times out
    await publishChunk(3);
    const rnd = random(23);
    const leaving = b.proc.stop({ signal: 'SIGTERM', timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(rnd() * 400)));
    await c.proc.stop({ signal: 'SIGKILL' });
    const bExit = await leaving;
    expect(bExit).toEqual({ code: 0, signal: null });

    // A alone must now take every partition: the last chunks reach only it
    const aBefore = await consumed(a);
    let afterScaleIn = 0;
    for (let i = 4; i < CHUNKS; i++) afterScaleIn += await publishChunk(i);

    await waitForGroupCaughtUp(group, streams, { timeoutMs: 60_000 });
    await waitForGroupCaughtUp(single.group, streams, { timeoutMs: 60_000 });
    const aAfter = await consumed(a);
    expect(aAfter - aBefore).toBeGreaterThanOrEqual(afterScaleIn);
    // and it did not do all the work: B and C really consumed partitions of their own
    const total = traffic.directory.length + traffic.contacts.length + traffic.agents.length;
    expect(aAfter).toBeLessThan(total);

    expect(await a.proc.stop({ timeoutMs: 30_000 })).toEqual({ code: 0, signal: null });
    await single.aggregator.stop();

    const expected = await answersOn(reference.prefix, trafficPeriod(traffic));
    const actual = await answersOn(scaled.prefix, trafficPeriod(traffic));
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    expectSameAnswers(actual, expected);
  });
});
