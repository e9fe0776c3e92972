import { startMockKafka, startRedis, type TopicSpec } from '@wfm-stream/local-stack';

/** Servers for a benchmark: the local ones (fresh, private), or BENCH_KAFKA_BROKERS / BENCH_REDIS_URL. */
export interface BenchStack {
  readonly kafkaBrokers: readonly string[];
  readonly redisUrl: string;
  stop(): Promise<void>;
}

export async function startBenchStack(
  topics: readonly TopicSpec[],
  withRedis: boolean,
): Promise<BenchStack> {
  const brokers = process.env.BENCH_KAFKA_BROKERS;
  const redisUrl = process.env.BENCH_REDIS_URL;
  if (brokers !== undefined && (redisUrl !== undefined || !withRedis)) {
    return {
      kafkaBrokers: brokers.split(','),
      redisUrl: redisUrl ?? '',
      stop: () => Promise.resolve(),
    };
  }
  const [kafka, redis] = await Promise.all([
    startMockKafka({ topics }),
    withRedis
      ? startRedis({ settings: ['maxmemory-policy', 'noeviction'] })
      : Promise.resolve(undefined),
  ]);
  return {
    kafkaBrokers: kafka.brokers,
    redisUrl: redis?.url ?? '',
    async stop() {
      await Promise.all([kafka.stop(), redis?.stop()]);
    },
  };
}
