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
    const aggregated = await aggregatorRate(kafka, redis, events.length, {
      groupId: 'bench-aggregator',
      prefix: 'bench:g0',
      partitionsConsumedConcurrently: 4,
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

export interface AggregatorRun {
  readonly groupId: string;
  /** Key prefix of the state (a fresh one per run: the state deduplicates). */
  readonly prefix: string;
  readonly partitionsConsumedConcurrently: number;
  readonly maxBytesPerPartition?: number;
  readonly maxWaitTimeInMs?: number;
}

/**
 * Events/s of the aggregator's pipeline in this process (the project's consumer, decoder,
 * dead-letter publisher and handler, against Redis), reading `total` events from the
 * start of the topics in a fresh group.
 */
export async function aggregatorRate(
  kafka: Kafka,
  redis: ReturnType<typeof connectRedis>,
  total: number,
  run: AggregatorRun,
): Promise<number> {
  const keys = new Keys(run.prefix);
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
  return timed(total, async (onBatch) => {
    const producer = createProducer(kafka, { idempotent: true });
    await producer.connect();
    const consumer = new EventConsumer({
      kafka,
      groupId: run.groupId,
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
      deadLetter: new DeadLetterPublisher(producer, 'cc.dead-letter', run.groupId),
      logger: silentLogger(),
      partitionsConsumedConcurrently: run.partitionsConsumedConcurrently,
      ...(run.maxBytesPerPartition === undefined
        ? {}
        : { maxBytesPerPartition: run.maxBytesPerPartition }),
      ...(run.maxWaitTimeInMs === undefined ? {} : { maxWaitTimeInMs: run.maxWaitTimeInMs }),
    });
    await consumer.start();
    return async () => {
      await consumer.stop();
      await producer.disconnect();
    };
  });
}

/**
 * Consumer settings measured on the aggregator's pipeline, one variant after another on
 * the same backlog (each in a fresh group and key prefix): partitions consumed
 * concurrently and the fetch size per partition.
 */
export async function benchConsumerTuning(): Promise<void> {
  const contacts = Number(process.env.BENCH_CONTACTS ?? 15_000);
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
    progress(`publishing ${events.length} events…`);
    await publishAll(kafka, events);
    const redis = connectRedis({ url: stack.redisUrl });
    const variants: { label: string; run: Omit<AggregatorRun, 'groupId' | 'prefix'> }[] = [
      { label: '1 partition at a time, 1 MB', run: { partitionsConsumedConcurrently: 1 } },
      { label: '2 at a time, 1 MB', run: { partitionsConsumedConcurrently: 2 } },
      { label: '4 at a time, 1 MB (default)', run: { partitionsConsumedConcurrently: 4 } },
      { label: '8 at a time, 1 MB', run: { partitionsConsumedConcurrently: 8 } },
      {
        label: '4 at a time, 256 KB per partition',
        run: { partitionsConsumedConcurrently: 4, maxBytesPerPartition: 256 * 1024 },
      },
      {
        label: '4 at a time, 4 MB per partition',
        run: { partitionsConsumedConcurrently: 4, maxBytesPerPartition: 4 * 1024 * 1024 },
      },
    ];
    const rows: (string | number)[][] = [['consumer', 'events/s', 'vs default']];
    const rates: number[] = [];
    for (const [i, variant] of variants.entries()) {
      progress(`${variant.label}…`);
      const prefix = `bench-tuning-${i}`;
      rates.push(
        await aggregatorRate(kafka, redis, events.length, {
          ...variant.run,
          groupId: `bench-tuning-${i}`,
          prefix,
        }),
      );
      await deleteKeys(redis, prefix);
    }
    const base = rates[2] ?? 1;
    variants.forEach((v, i) =>
      rows.push([
        v.label,
        Math.round(rates[i] ?? 0),
        `${Math.round(((rates[i] ?? 0) * 100) / base)} %`,
      ]),
    );
    redis.disconnect();
    printTable(
      `aggregator consumer settings, ${events.length} events over 12+12 partitions (Kafka ${KAFKA_VERSION}, one node)`,
      rows,
    );
  } finally {
    await stack.stop();
  }
}

async function deleteKeys(redis: ReturnType<typeof connectRedis>, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
