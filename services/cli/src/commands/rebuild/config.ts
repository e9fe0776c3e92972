import {
  checkKafkaSettings,
  kafkaSettings,
  loadConfig,
  redisSettings,
  topicSettings,
} from '@wfm-stream/config';
import { z } from 'zod';

import { withLocalStack } from '../../connection.js';

const rebuildConfigSchema = z
  .object({ ...kafkaSettings, ...topicSettings, ...redisSettings })
  .superRefine(checkKafkaSettings);

/** What the rebuild itself reads; its aggregators get the whole environment. */
export type RebuildConfig = z.output<typeof rebuildConfigSchema>;

/**
 * The rebuild's environment (a running local stack's Kafka and Redis when KAFKA_BROKERS is
 * unset, as for every command) and its settings; a ConfigError when they are wrong.
 */
export function loadRebuildConfig(env: NodeJS.ProcessEnv): {
  env: NodeJS.ProcessEnv;
  config: RebuildConfig;
} {
  const resolved = withLocalStack(env);
  return { env: resolved, config: loadConfig(rebuildConfigSchema, resolved) };
}
