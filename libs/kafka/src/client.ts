import type { Logger } from '@wfm-stream/observability';
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';

import { type KafkaProducer, type ProducerSettings, VerifiedProducer } from './producer.js';
import { socketFactory } from './socket.js';

export interface KafkaSettings {
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_CLIENT_ID: string;
  readonly KAFKA_SSL: boolean;
  readonly KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined;
  readonly KAFKA_SASL_USERNAME?: string | undefined;
  readonly KAFKA_SASL_PASSWORD?: string | undefined;
  readonly KAFKA_CONNECTION_TIMEOUT: number;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose logs go through our structured logger. */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  let sasl: SASLOptions | undefined;
  if (settings.KAFKA_SASL_MECHANISM !== undefined) {
    sasl = {
      mechanism: settings.KAFKA_SASL_MECHANISM,
      username: settings.KAFKA_SASL_USERNAME ?? '',
      password: settings.KAFKA_SASL_PASSWORD ?? '',
    };
  }
  const config: KafkaConfig = {
    clientId: settings.KAFKA_CLIENT_ID,
    brokers: [...settings.KAFKA_BROKERS],
    ssl: settings.KAFKA_SSL,
    connectionTimeout: settings.KAFKA_CONNECTION_TIMEOUT,
    // kafkajs's own, less the connect listeners each disconnect added (socket.ts)
    socketFactory,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }) => {
        const context: Record<string, unknown> = { ...entry };
        delete context.message;
        delete context.timestamp;
        delete context.logger;
        log[LEVELS[level] ?? 'info']({ namespace, ...context }, entry.message);
      },
  };
  if (sasl !== undefined) config.sasl = sasl;
  return new Kafka(config);
}

/**
 * The project's producer: never creates topics by accident, partitions keys the way
 * Kafka's Java client does (murmur2), so keys land where other clients expect them, and
 * checks that every message reached its partition (VerifiedProducer). Every send waits
 * for all in-sync replicas (`acks: -1`, see EventPublisher and the dead-letter publisher).
 */
export function createProducer(kafka: Kafka, settings: ProducerSettings): KafkaProducer {
  return new VerifiedProducer(kafka, settings);
}
