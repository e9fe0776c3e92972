import {
  ALONGSIDE_OTHER_PROBLEMS,
  checkKafkaSettings,
  checkRedisSettings,
  kafkaSettings,
  redisSettings,
  topicSettings,
} from '@wfm-stream/config';
import { z } from 'zod';

import { KAFKA_ADDRESS, loadCommandConfig } from '../../connection.js';

const rebuildConfigSchema = z
  .object({ ...kafkaSettings, ...topicSettings, ...redisSettings })
  .superRefine(checkKafkaSettings)
  .superRefine(checkRedisSettings, ALONGSIDE_OTHER_PROBLEMS);

/** What the rebuild itself reads; its aggregators get the whole environment. */
export type RebuildConfig = z.output<typeof rebuildConfigSchema>;

/**
 * The rebuild's environment (a running local stack's Kafka and Redis when KAFKA_BROKERS is
 * unset, as for every command) and its settings; a ConfigError when they are wrong. The
 * brokers and the Redis must be named: the rebuild deletes a generation of the Redis it
 * is pointed at, so it never falls back to one on this machine.
 */
export function loadRebuildConfig(env: NodeJS.ProcessEnv): {
  env: NodeJS.ProcessEnv;
  config: RebuildConfig;
} {
  return loadCommandConfig(rebuildConfigSchema, env, [
    KAFKA_ADDRESS,
    ['REDIS_URL', 'REDIS_CLUSTER_NODES'],
  ]);
}
