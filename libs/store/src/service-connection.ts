import {
  type createRegistry,
  type Health,
  type Logger,
  type RoundTripProbe,
  startMemoryProbe,
  startRoundTripProbe,
} from '@wfm-stream/observability';

import {
  connectRedis,
  type RedisClient,
  redisConnectionOptions,
  type RedisSettings,
} from './connection.js';
import { sampleRedisMemory } from './redis-memory.js';

export interface ServiceRedis {
  readonly redis: RedisClient;
  /** Stops the round-trip probe and closes the connection. */
  close(): void;
}

/**
 * A service's Redis connection, wired into its health (the `redis` component is ready
 * while connected) and metrics (`wfm_redis_round_trip_seconds`, a PING every 5 s;
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
  redis.on('ready', () => {
    health.set('redis', true);
  });
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
      probe.stop();
      memory.stop();
      redis.disconnect();
    },
  };
}
