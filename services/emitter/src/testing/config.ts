import { loadConfig } from '@wfm-stream/config';
import { redisEnv, type TestStackInfo } from '@wfm-stream/testing';

import { type EmitterConfig, emitterConfigSchema } from '../config.js';

/** Where an emitter under test reads and writes: the run's servers, a namespace, topics. */
export interface EmitterTestPlace {
  readonly stack: TestStackInfo;
  readonly keyPrefix: string;
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly group: string;
}

/**
 * An emitter configuration for tests: the place's servers, key prefix, topics and group,
 * its topic read from the start, an ephemeral HTTP port, then `settings` over that.
 */
export function emitterTestConfig(
  place: EmitterTestPlace,
  settings: Record<string, string>,
): EmitterConfig {
  return loadConfig(emitterConfigSchema, {
    KAFKA_BROKERS: place.stack.kafkaBrokers.join(','),
    // the run's Redis: its cluster's nodes, credentials and CA under TEST_REDIS=cluster
    ...redisEnv(place.stack),
    REDIS_KEY_PREFIX: place.keyPrefix,
    TOPIC_AGENT_EVENTS: place.topic,
    TOPIC_DEAD_LETTER: place.deadLetterTopic,
    CONSUMER_GROUP: place.group,
    EMITTER_START_FROM: 'earliest',
    HTTP_PORT: '0',
    ...settings,
  });
}
