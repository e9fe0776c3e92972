import { startKafka, startRedis } from '@wfm-stream/local-stack';
import { ensureTopics } from '@wfm-stream/topics';
import { Kafka, logLevel } from 'kafkajs';

/** The broker the benchmarks start (deploy/local/kafka/pom.xml). */
export const KAFKA_VERSION = '4.1.1';

/** A topic a benchmark needs. */
export interface BenchTopic {
  readonly name: string;
  readonly partitions: number;
}

/**
 * Servers for a benchmark: fresh private ones (Apache Kafka, one node, and redis-server),
 * or BENCH_KAFKA_BROKERS / BENCH_REDIS_URL. The topics are created through the project's
 * own admin path either way.
 */
export interface BenchStack {
  readonly kafkaBrokers: readonly string[];
  readonly redisUrl: string;
  /** Our broker and Redis processes, for their CPU time; none when external. */
  readonly servers: { readonly broker?: number | undefined; readonly redis?: number | undefined };
  stop(): Promise<void>;
}

export async function startBenchStack(
  topics: readonly BenchTopic[],
  withRedis: boolean,
): Promise<BenchStack> {
  const external = process.env.BENCH_KAFKA_BROKERS;
  const externalRedis = process.env.BENCH_REDIS_URL;
  let stack: BenchStack;
  if (external !== undefined && (externalRedis !== undefined || !withRedis)) {
    stack = {
      kafkaBrokers: external.split(','),
      redisUrl: externalRedis ?? '',
      servers: {},
      stop: () => Promise.resolve(),
    };
  } else {
    const [kafka, redis] = await Promise.all([
      startKafka(),
      withRedis
        ? startRedis({ settings: ['maxmemory-policy', 'noeviction'] })
        : Promise.resolve(undefined),
    ]);
    stack = {
      kafkaBrokers: kafka.brokers,
      redisUrl: redis?.url ?? '',
      servers: { broker: kafka.nodes[0]?.process()?.pid, redis: redis?.process.pid },
      async stop() {
        await Promise.all([kafka.stop(), redis?.stop()]);
      },
    };
  }
  const admin = benchKafka(stack).admin();
  await admin.connect();
  try {
    const replicationFactor = Number(process.env.BENCH_REPLICATION_FACTOR ?? '1');
    await ensureTopics(
      admin,
      topics.map((t) => ({
        name: t.name,
        partitions: t.partitions,
        replicationFactor,
        config: {},
      })),
    );
  } finally {
    await admin.disconnect();
  }
  return stack;
}

/** A kafkajs client of the stack's brokers, its own logs silenced. */
export function benchKafka(stack: BenchStack, clientId?: string): Kafka {
  return new Kafka({
    brokers: [...stack.kafkaBrokers],
    ...(clientId === undefined ? {} : { clientId }),
    logLevel: logLevel.NOTHING,
  });
}
