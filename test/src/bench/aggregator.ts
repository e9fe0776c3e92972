import {
  createProducer,
  DeadLetterPublisher,
  type EventBatch,
  EventConsumer,
  EventDecoder,
} from '@wfm-stream/kafka';
import { silentLogger } from '@wfm-stream/observability';
import { connectRedis } from '@wfm-stream/store';
import type { Kafka } from 'kafkajs';

import { publishReplay } from '../support/publish.js';
import { syntheticTraffic } from '../support/traffic.js';
import { bareConsumeRate, timed } from './common/consume.js';
import { benchAggregatorHandler, deletePrefix, infoNumber } from './common/redis.js';
import { pipelineTopics, STREAM_TOPICS, TOPICS } from './common/topics.js';
import { platformaticConsumeRate } from './platformatic.js';
import { printTable, progress } from './report.js';
import { benchKafka, type BenchStack, KAFKA_VERSION, startBenchStack } from './stack.js';

/** The backlog both benchmarks of this file read: 50 groups and 200 agents over 14 hours. */
async function startWithBacklog(
  defaultContacts: number,
): Promise<{ contacts: number; total: number; stack: BenchStack; kafka: Kafka }> {
  const contacts = Number(process.env.BENCH_CONTACTS ?? defaultContacts);
  const traffic = syntheticTraffic({ seed: 42, contacts, groups: 50, agents: 200, hours: 14 });
  const events = [...traffic.directory, ...traffic.contacts, ...traffic.agents];
  const stack = await startBenchStack(pipelineTopics(12), true);
  try {
    const kafka = benchKafka(stack);
    progress(`publishing ${events.length} events (${contacts} contacts, 50 groups, 200 agents)…`);
    await publishReplay(kafka, events, TOPICS);
    return { contacts, total: events.length, stack, kafka };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

export async function benchAggregator(): Promise<void> {
  const { contacts, total, stack, kafka } = await startWithBacklog(20_000);
  try {
    progress('bare kafkajs consumer (consume and JSON.parse)…');
    const bare = await bareConsumeRate(kafka, STREAM_TOPICS, total, 'bench-bare');

    progress('bare @platformatic/kafka consumer (consume and JSON.parse)…');
    const platformatic = await platformaticConsumeRate(
      stack.kafkaBrokers,
      STREAM_TOPICS,
      total,
      'bench-platformatic',
    );

    progress('aggregator (decode, validate, Redis in two round trips per batch, commit)…');
    const redis = connectRedis({ url: stack.redisUrl });
    const memoryBefore = await usedMemory(redis);
    const aggregated = await aggregatorRate(kafka, redis, total, {
      groupId: 'bench-aggregator',
      prefix: 'bench:g0',
      partitionsConsumedConcurrently: 4,
    });
    const memoryAfter = await usedMemory(redis);
    redis.disconnect();

    printTable(
      `aggregation, ${total} events over 12+12 partitions (Kafka ${KAFKA_VERSION}, Redis and the consumer on one 2-core machine)`,
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
  return infoNumber(await redis.info('memory'), 'used_memory');
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
  const handle = benchAggregatorHandler(redis, run.prefix);
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
      deadLetter: new DeadLetterPublisher(producer, TOPICS.deadLetter, run.groupId),
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
  const { total, stack, kafka } = await startWithBacklog(15_000);
  try {
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
        await aggregatorRate(kafka, redis, total, {
          ...variant.run,
          groupId: `bench-tuning-${i}`,
          prefix,
        }),
      );
      await deletePrefix(redis, prefix);
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
      `aggregator consumer settings, ${total} events over 12+12 partitions (Kafka ${KAFKA_VERSION}, one node)`,
      rows,
    );
  } finally {
    await stack.stop();
  }
}
