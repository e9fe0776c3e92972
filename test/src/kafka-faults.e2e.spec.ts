import type { RunningAggregator } from '@wfm-stream/aggregator';
import { createProducer, type KafkaProducer } from '@wfm-stream/kafka';
import { type KafkaCluster, startKafka } from '@wfm-stream/local-stack';
import {
  testKafka,
  testStack,
  type TestStackInfo,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
} from '@wfm-stream/testing';
import type { Admin } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';

import { answersOn, expectSameAnswers, trafficPeriod } from './support/answers.js';
import { sendEvents } from './support/publish.js';
import { pipelineStack, teardownAfterAll } from './support/stack.js';
import { streamsOf, type StreamTopics } from './support/topics.js';
import { syntheticTraffic, type Traffic } from './support/traffic.js';

/**
 * Broker faults on a three-node Kafka cluster (replication factor 3, min.insync.replicas
 * 2, the idempotent producer with acks=all): a partition leader SIGKILLed mid-stream, and
 * a rolling restart of every node. Each run's answers must equal those of an undisturbed
 * run of the same events on the test run's own broker: nothing lost, nothing counted twice.
 */
const stack = testStack();
let cluster: KafkaCluster;
let clusterStack: TestStackInfo;
const teardown = teardownAfterAll();

beforeAll(async () => {
  cluster = await startKafka({ nodes: 3 });
  teardown.add(() => cluster.stop());
  clusterStack = {
    ...stack,
    kind: 'local',
    kafkaBrokers: cluster.brokers,
    replicationFactor: cluster.replicationFactor,
  };
}, 180_000);

interface Run {
  readonly topics: StreamTopics;
  readonly prefix: string;
  readonly group: string;
  readonly producer: KafkaProducer;
  readonly aggregator: RunningAggregator;
  readonly on: TestStackInfo;
}

/** Topics, an idempotent producer and an aggregator of its own, on `on`. */
async function startRun(on: TestStackInfo): Promise<Run> {
  const deployment = pipelineStack({ on, teardown });
  const ns = deployment.namespace();
  const { topics } = deployment;
  await deployment.createTopics({ contacts: 6, agents: 6 });
  const producer = createProducer(testKafka(on), { idempotent: true });
  await producer.connect();
  teardown.add(() => producer.disconnect());
  const group = uniqueName('aggregator');
  const aggregator = await deployment.aggregator({
    ...deployment.env,
    REDIS_KEY_PREFIX: ns.prefix,
    CONSUMER_GROUP: group,
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
  });
  return { topics, prefix: ns.prefix, group, producer, aggregator, on };
}

/** The traffic in `chunks` slices; `between(i)` runs after slice i is acknowledged. */
async function publish(
  run: Run,
  traffic: Traffic,
  chunks: number,
  between: (i: number) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  await sendEvents(run.producer, run.topics.TOPIC_DIRECTORY, traffic.directory, 500);
  const slice = <T>(items: readonly T[], i: number): T[] => {
    const size = Math.ceil(items.length / chunks);
    return items.slice(i * size, (i + 1) * size);
  };
  for (let i = 0; i < chunks; i++) {
    await sendEvents(
      run.producer,
      run.topics.TOPIC_CONTACT_EVENTS,
      slice(traffic.contacts, i),
      500,
    );
    await sendEvents(run.producer, run.topics.TOPIC_AGENT_EVENTS, slice(traffic.agents, i), 500);
    await between(i);
  }
}

async function settle(run: Run): Promise<void> {
  await waitForGroupCaughtUp(run.group, streamsOf(run.topics), {
    timeoutMs: 120_000,
    stack: run.on,
  });
}

const answersOf = (run: Run, traffic: Traffic) =>
  answersOn(run.prefix, trafficPeriod(traffic), { REDIS_URL: run.on.redisUrl });

/** Records in the topics: with the idempotent producer, exactly what was sent. */
async function recordsIn(admin: Admin, topics: readonly string[]): Promise<number> {
  let total = 0;
  for (const topic of topics)
    for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high) - Number(p.low);
  return total;
}

/** Waits until every partition of the topics has all its replicas in sync again. */
async function fullyReplicated(admin: Admin, topics: readonly string[]): Promise<void> {
  await waitFor(
    async () => {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: [...topics] });
      return meta.every((t) => t.partitions.every((p) => p.isr.length === p.replicas.length));
    },
    { timeoutMs: 60_000, intervalMs: 250, message: 'every replica back in sync' },
  );
}

/**
 * Once both runs have caught up: the disturbed run's topics hold exactly what was sent,
 * and its answers equal the reference's.
 */
async function expectAsUndisturbed(
  run: Run,
  reference: Run,
  admin: Admin,
  traffic: Traffic,
): Promise<void> {
  await settle(reference);
  await settle(run);
  const sent = traffic.directory.length + traffic.contacts.length + traffic.agents.length;
  expect(await recordsIn(admin, streamsOf(run.topics))).toBe(sent);
  expectSameAnswers(await answersOf(run, traffic), await answersOf(reference, traffic));
}

/**
 * The test traffic of `seed`, published whole through a reference run on the test run's
 * own broker, and a run on the cluster with an admin client of it, nothing published yet.
 */
async function startRuns(
  seed: number,
): Promise<{ traffic: Traffic; reference: Run; run: Run; admin: Admin }> {
  const traffic = syntheticTraffic({ seed, contacts: 3_000, groups: 8, agents: 20 });
  const reference = await startRun(stack);
  await publish(reference, traffic, 1);
  const run = await startRun(clusterStack);
  const admin = testKafka(clusterStack).admin();
  await admin.connect();
  teardown.add(() => admin.disconnect());
  return { traffic, reference, run, admin };
}

describe('Kafka broker faults (three nodes, replication factor 3)', () => {
  it('a partition leader SIGKILLed mid-stream: the stream goes on and the answers equal an undisturbed run', async () => {
    const { traffic, reference, run, admin } = await startRuns(41);
    let killed = -1;
    await publish(run, traffic, 6, async (i) => {
      if (i !== 2) return;
      // the leader of the contacts topic's first partition, while the aggregator reads it
      const { topics } = await admin.fetchTopicMetadata({
        topics: [run.topics.TOPIC_CONTACT_EVENTS],
      });
      killed = topics[0]?.partitions.find((p) => p.partitionId === 0)?.leader ?? -1;
      expect(killed).toBeGreaterThan(0);
      await cluster.kill(killed);
    });
    // the leadership moved to a surviving replica
    const { topics } = await admin.fetchTopicMetadata({
      topics: [run.topics.TOPIC_CONTACT_EVENTS],
    });
    const leader = topics[0]?.partitions.find((p) => p.partitionId === 0)?.leader;
    expect(leader).not.toBe(killed);

    await expectAsUndisturbed(run, reference, admin, traffic);

    await cluster.startNode(killed);
    await fullyReplicated(admin, Object.values(run.topics));
  });

  it('a rolling restart of all three nodes mid-stream: the answers equal an undisturbed run', async () => {
    const { traffic, reference, run, admin } = await startRuns(43);
    await publish(run, traffic, 4, async (i) => {
      if (i >= 3) return;
      // one node at a time, the way an operator upgrades: stop cleanly, start, wait for
      // its replicas to catch up before the next
      const node = cluster.nodes[i]?.nodeId ?? 0;
      await cluster.stopNode(node);
      await cluster.startNode(node);
      await fullyReplicated(admin, Object.values(run.topics));
    });

    await expectAsUndisturbed(run, reference, admin, traffic);
  });
});
