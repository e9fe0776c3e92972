import { aggregatorHandler } from '@wfm-stream/aggregator';
import { TimeZone } from '@wfm-stream/core';
import {
  createProducer,
  DeadLetterPublisher,
  type EventBatch,
  EventConsumer,
  EventDecoder,
} from '@wfm-stream/kafka';
import { silentLogger } from '@wfm-stream/observability';
import { messageKey, type TopicNames, topicOf, type WfmEvent } from '@wfm-stream/schemas';
import {
  AgentAggregation,
  connectRedis,
  ContactAggregation,
  DirectoryStore,
  Keys,
} from '@wfm-stream/store';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

import { syntheticTraffic } from '../support/traffic.js';
import { platformaticConsumeRate } from './platformatic.js';
import { printTable, progress } from './report.js';
import { type BenchStack, KAFKA_VERSION, startBenchStack } from './stack.js';

const TOPICS: TopicNames = {
  directory: 'cc.directory',
  contacts: 'cc.contact-events',
  agents: 'cc.agent-events',
};
const TOPIC_LIST = [TOPICS.directory, TOPICS.contacts, TOPICS.agents];

async function publishAll(kafka: Kafka, events: readonly WfmEvent[]): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < events.length; i += 2_000) {
    const batch = events.slice(i, i + 2_000);
    await producer.sendBatch({
      topicMessages: TOPIC_LIST.map((topic) => ({
        topic,
        messages: batch
          .filter((e) => topicOf(e, TOPICS) === topic)
          .map((e) => ({ key: messageKey(e), value: JSON.stringify(e) })),
      })),
    });
  }
  await producer.disconnect();
}

/** Events per second of whatever `run` consumes, from its first batch to its last. */
async function timed(
  total: number,
  run: (onBatch: (n: number) => void) => Promise<() => Promise<void>>,
): Promise<number> {
  let first = 0;
  let last = 0;
  let seen = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const stop = await run((n) => {
    if (first === 0) first = performance.now();
    seen += n;
    last = performance.now();
    if (seen >= total) resolveDone();
  });
  await done;
  await stop();
  return (total * 1000) / (last - first);
}

export async function benchAggregator(): Promise<void> {
  const contacts = Number(process.env.BENCH_CONTACTS ?? 20_000);
  const traffic = syntheticTraffic({ seed: 42, contacts, groups: 50, agents: 200, hours: 14 });
  const events = [...traffic.directory, ...traffic.contacts, ...traffic.agents];
  const stack: BenchStack = await startBenchStack(
    [
      { name: TOPICS.directory, partitions: 1 },
      { name: TOPICS.contacts, partitions: 12 },
      { name: TOPICS.agents, partitions: 12 },
      { name: 'cc.dead-letter', partitions: 1 },
    ],
    true,
  );
  try {
    const kafka = new Kafka({ brokers: [...stack.kafkaBrokers], logLevel: logLevel.NOTHING });
    progress(`publishing ${events.length} events (${contacts} contacts, 50 groups, 200 agents)…`);
    await publishAll(kafka, events);

    progress('bare kafkajs consumer (consume and JSON.parse)…');
    const bare = await timed(events.length, async (onBatch) => {
      const consumer = kafka.consumer({ groupId: 'bench-bare', maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topics: TOPIC_LIST, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: 4,
        eachBatch: ({ batch }) => {
          for (const m of batch.messages) JSON.parse(m.value?.toString() ?? '{}');
          onBatch(batch.messages.length);
          return Promise.resolve();
        },
      });
      return () => consumer.disconnect();
    });

    progress('bare @platformatic/kafka consumer (consume and JSON.parse)…');
    const platformatic = await platformaticConsumeRate(
      stack.kafkaBrokers,
      TOPIC_LIST,
      events.length,
      'bench-platformatic',
    );

    progress('aggregator (decode, validate, Redis in two round trips per batch, commit)…');
    const redis = connectRedis({ url: stack.redisUrl });
    const memoryBefore = await usedMemory(redis);
    const keys = new Keys('bench:g0');
    const zone = TimeZone.UTC;
    const stores = {
      contacts: new ContactAggregation(redis, keys, {
        zone,
        serviceLevelMs: () => 20_000,
        stateTtlSeconds: 7 * 86_400,
        retentionSeconds: 400 * 86_400,
      }),
      agents: new AgentAggregation(redis, keys, {
        dedupeWindowMs: 7 * 86_400_000,
        retentionSeconds: 400 * 86_400,
      }),
      directory: new DirectoryStore(redis, keys, 400 * 86_400),
    };
    const handle = aggregatorHandler(stores, silentLogger());
    const aggregated = await timed(events.length, async (onBatch) => {
      const producer = createProducer(kafka, { idempotent: true });
      await producer.connect();
      const consumer = new EventConsumer({
        kafka,
        groupId: 'bench-aggregator',
        topics: [
          { topic: TOPICS.directory, stream: 'directory' },
          { topic: TOPICS.contacts, stream: 'contacts' },
          { topic: TOPICS.agents, stream: 'agents' },
        ],
        handler: async (batch: EventBatch, context) => {
          await handle(batch, context);
          onBatch(batch.events.length);
        },
        decoder: new EventDecoder(),
        deadLetter: new DeadLetterPublisher(producer, 'cc.dead-letter', 'bench-aggregator'),
        logger: silentLogger(),
        partitionsConsumedConcurrently: 4,
      });
      await consumer.start();
      return async () => {
        await consumer.stop();
        await producer.disconnect();
      };
    });
    const memoryAfter = await usedMemory(redis);
    redis.disconnect();

    printTable(
      `aggregation, ${events.length} events over 12+12 partitions (Kafka ${KAFKA_VERSION}, Redis and the consumer on one 2-core machine)`,
      [
        ['path', 'events/s', 'vs bare'],
        ['bare kafkajs consumer: consume + JSON.parse', Math.round(bare), '100 %'],
        [
          'bare @platformatic/kafka consumer: consume + JSON.parse',
          Math.round(platformatic),
          `${Math.round((platformatic * 100) / bare)} %`,
        ],
        [
          'aggregator: + validate, merge, uniqueness, spans, 2 Redis round trips per batch',
          Math.round(aggregated),
          `${Math.round((aggregated * 100) / bare)} %`,
        ],
      ],
    );
    printTable('Redis memory', [
      ['state', 'bytes'],
      [`used by ${contacts} contacts and their agents' events`, memoryAfter - memoryBefore],
      ['per 1,000 contacts', Math.round(((memoryAfter - memoryBefore) * 1000) / contacts)],
    ]);
  } finally {
    await stack.stop();
  }
}

async function usedMemory(redis: ReturnType<typeof connectRedis>): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}
