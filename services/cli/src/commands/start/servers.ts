import {
  type FetchProgress,
  formatFetchProgress,
  type KafkaCluster,
  type RedisCluster,
  type RedisServer,
  type SchemaRegistry,
  startKafka,
  startRedis,
  startRedisCluster,
  startSchemaRegistry,
} from '@wfm-stream/local-stack';

import type { Lifecycle } from './lifecycle.js';
import type { StateDir } from './state-dir.js';

/** The servers of the local stack. */
export interface Servers {
  /** One redis-server, or with `--redis-cluster` a cluster of six. */
  readonly redis: RedisServer | RedisCluster;
  readonly kafka: KafkaCluster;
  /** With `--schema-registry`. */
  readonly registry: SchemaRegistry | undefined;
}

/** Progress of the first run's Maven fetch: a line every few seconds. */
function fetchProgressPrinter(print: (line: string) => void): (progress: FetchProgress) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < 3_000) return;
    last = now;
    print(`  fetching ${formatFetchProgress(progress)}`);
  };
}

/** The cluster's seeds, for REDIS_CLUSTER_NODES; undefined for a single Redis. */
export function clusterNodesOf(redis: RedisServer | RedisCluster): readonly string[] | undefined {
  return 'nodes' in redis ? redis.nodes : undefined;
}

/** The process ids of the Redis servers. */
export function redisPidsOf(redis: RedisServer | RedisCluster): number[] {
  return 'servers' in redis ? redis.servers.map((s) => s.process.pid) : [redis.process.pid];
}

/**
 * Starts a private redis-server (or a Redis Cluster), Apache Kafka (one node or three) and, when asked, Apicurio
 * Registry, at once, on free ports. Whatever started is handed to `lifecycle` to stop,
 * even when another failed to start (then this throws that failure).
 */
export async function startServers(
  options: {
    readonly brokers: 1 | 3;
    readonly schemaRegistry: boolean;
    readonly redisCluster?: boolean;
  },
  dir: StateDir,
  lifecycle: Lifecycle,
  print: (line: string) => void,
): Promise<Servers> {
  print(
    `starting ${options.redisCluster === true ? 'a Redis Cluster (three masters, three replicas)' : 'redis-server'}, Apache Kafka (${options.brokers === 3 ? 'three nodes' : 'one node'})` +
      `${options.schemaRegistry ? ' and Apicurio Registry' : ''}…`,
  );
  const onFetchProgress = fetchProgressPrinter(print);
  const [redis, kafka, registry] = await Promise.allSettled([
    options.redisCluster === true
      ? startRedisCluster({ logDir: dir.logs })
      : startRedis({ logFile: dir.log('redis') }),
    startKafka({
      nodes: options.brokers,
      dir: dir.data('kafka'),
      logDir: dir.logs,
      onFetchProgress,
    }),
    options.schemaRegistry
      ? startSchemaRegistry({
          dir: dir.data('schema-registry'),
          logFile: dir.log('schema-registry'),
          onFetchProgress,
        })
      : Promise.resolve(undefined),
  ]);
  for (const result of [redis, kafka, registry])
    if (result.status === 'fulfilled' && result.value !== undefined)
      lifecycle.addServer(result.value);
  if (redis.status === 'rejected') throw redis.reason;
  if (kafka.status === 'rejected') throw kafka.reason;
  if (registry.status === 'rejected') throw registry.reason;
  return { redis: redis.value, kafka: kafka.value, registry: registry.value };
}
