import { createKafka } from '@wfm-stream/kafka';
import { createLogger } from '@wfm-stream/observability';
import {
  connectRedis,
  GenerationPointer,
  type RedisClient,
  redisConnectionOptions,
} from '@wfm-stream/store';

import type { RebuildConfig } from './config.js';

type Admin = ReturnType<ReturnType<typeof createKafka>['admin']>;

/** The rebuild's own clients: Redis (the pointer and the generations) and a Kafka admin. */
export interface Connections {
  readonly redis: RedisClient;
  readonly admin: Admin;
  readonly pointer: GenerationPointer;
  readonly prefix: string;
  close(): Promise<void>;
}

/** The clients, not yet connected (the lock step connects them). */
export function openConnections(config: RebuildConfig): Connections {
  const redis = connectRedis(redisConnectionOptions(config, 'wfm-rebuild'));
  redis.on('error', () => undefined);
  const kafka = createKafka(
    { ...config, KAFKA_CLIENT_ID: `${config.KAFKA_CLIENT_ID}-rebuild` },
    createLogger('rebuild', 'error'),
  );
  const admin = kafka.admin();
  return {
    redis,
    admin,
    pointer: new GenerationPointer(redis, config.REDIS_KEY_PREFIX),
    prefix: config.REDIS_KEY_PREFIX,
    async close() {
      await admin.disconnect().catch(() => undefined);
      redis.disconnect();
    },
  };
}
