import {
  type createRegistry,
  type Health,
  type Logger,
  type RoundTripProbe,
  startMemoryProbe,
  startRoundTripProbe,
} from '@wfm-stream/observability';
import { Cluster, type Redis } from 'ioredis';

import {
  connectRedis,
  type RedisClient,
  redisConnectionOptions,
  type RedisSettings,
} from './connection.js';
import { sampleRedisMemory } from './redis-memory.js';
import { probeRedis } from './redis-probe.js';

/** How often a service checks that its Redis can serve (docs/architecture.md, "Redis Cluster"). */
export const REDIS_READINESS_INTERVAL_MS = 1_000;

export interface ServiceRedis {
  readonly redis: RedisClient;
  /** Stops the round-trip probe and closes the connection. */
  close(): void;
}

/**
 * A service's Redis connection, wired into its health and metrics. The `redis` component
 * is ready while the Redis can serve every key: every second (and when the connection
 * comes up) `probeRedis` PINGs a single Redis, or checks that a cluster has a master for
 * every slot and that each master answers; a connection error, a closed connection or a
 * cluster node's lost connection makes it not ready at once. Metrics: (`wfm_redis_round_trip_seconds`, a PING every 5 s;
 * `wfm_redis_memory_used_bytes` and `wfm_redis_memory_max_bytes`, `INFO memory` every 5 s).
 * Connection errors are logged as warnings when a logger is given.
 */
export function connectServiceRedis(options: {
  readonly config: RedisSettings;
  readonly name: string;
  readonly health: Health;
  readonly registry: ReturnType<typeof createRegistry>;
  readonly logger?: Logger;
}): ServiceRedis {
  const { config, health, logger } = options;
  const redis = connectRedis(redisConnectionOptions(config, options.name));
  health.register('redis');
  const state = { closed: false, probing: false };
  // read after an await: `close()` may have run meanwhile
  const isClosed = (): boolean => state.closed;
  const check = async (): Promise<void> => {
    if (state.probing || state.closed) return;
    state.probing = true;
    try {
      const problem = await probeRedis(redis);
      if (!isClosed()) health.set('redis', problem === undefined, problem);
    } finally {
      state.probing = false;
    }
  };
  const readiness = setInterval(() => void check(), REDIS_READINESS_INTERVAL_MS);
  readiness.unref();
  redis.on('ready', () => void check());
  if (redis instanceof Cluster) {
    // a node's connection closed (a master killed): not ready until the probe says so
    redis.on('-node', (node: Redis) => {
      if (state.closed) return;
      health.set('redis', false, `lost the node ${node.options.host}:${node.options.port}`);
      void check();
    });
  }
  redis.on('end', () => {
    health.set('redis', false, 'connection closed');
  });
  redis.on('error', (error: Error) => {
    health.set('redis', false, error.message);
    logger?.warn({ err: error }, 'redis connection error');
  });
  const probe: RoundTripProbe = startRoundTripProbe({
    registry: options.registry,
    target: 'redis',
    ping: () => redis.ping(),
  });
  const memory = startMemoryProbe({
    registry: options.registry,
    target: 'redis',
    sample: () => sampleRedisMemory(redis),
  });
  return {
    redis,
    close() {
      state.closed = true;
      clearInterval(readiness);
      probe.stop();
      memory.stop();
      redis.disconnect();
    },
  };
}
