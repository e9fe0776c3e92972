import type { Health, Logger } from '@wfm-stream/observability';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';

import { createKafka, createProducer, type KafkaSettings } from './client.js';
import type { EventConsumerOptions } from './consumer.js';
import { ConsumerMetrics } from './consumer-metrics.js';
import { DeadLetterPublisher } from './dead-letter.js';
import { EventDecoder } from './decode.js';
import type { KafkaProducer } from './producer.js';
import { AvroEventCodec, createSchemaRegistry } from './registry.js';

/** The settings an event-consuming service reads the event topics with (docs/configuration.md). */
export interface EventConsumerSettings {
  readonly SCHEMA_REGISTRY_URL?: string | undefined;
  readonly SCHEMA_REGISTRY_USERNAME?: string | undefined;
  readonly SCHEMA_REGISTRY_PASSWORD?: string | undefined;
  readonly TOPIC_DIRECTORY: string;
  readonly TOPIC_CONTACT_EVENTS: string;
  readonly TOPIC_AGENT_EVENTS: string;
  readonly TOPIC_DEAD_LETTER: string;
  readonly CONSUMER_GROUP: string;
  readonly DEAD_LETTER_MAX_BYTES: number;
  readonly EVENT_MAX_BYTES: number;
  readonly POISON_MAX_ATTEMPTS: number;
  readonly PARTITIONS_CONSUMED_CONCURRENTLY: number;
  readonly FETCH_MAX_WAIT: number;
  readonly CONSUMER_SESSION_TIMEOUT: number;
}

/** What an event-consuming service builds its consumer from. */
export interface EventConsumerParts {
  readonly kafka: Kafka;
  readonly producer: KafkaProducer;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly health: Health;
}

/**
 * The EventConsumer options every event-consuming service takes from its settings alike:
 * its group, a decoder (Avro through the Schema Registry when SCHEMA_REGISTRY_URL is set,
 * JSON otherwise), the dead-letter publisher, the poison and fetch settings, the
 * consumer's metrics. The service adds its topics, handler and what else it needs.
 */
export function eventConsumerOptions(
  config: EventConsumerSettings,
  parts: EventConsumerParts,
): Omit<EventConsumerOptions, 'topics' | 'handler'> {
  const url = config.SCHEMA_REGISTRY_URL;
  const codec =
    url === undefined
      ? undefined
      : new AvroEventCodec(createSchemaRegistry({ ...config, SCHEMA_REGISTRY_URL: url }), {
          directory: config.TOPIC_DIRECTORY,
          contacts: config.TOPIC_CONTACT_EVENTS,
          agents: config.TOPIC_AGENT_EVENTS,
        });
  return {
    kafka: parts.kafka,
    groupId: config.CONSUMER_GROUP,
    decoder: new EventDecoder(codec, { maxBytes: config.EVENT_MAX_BYTES }),
    deadLetter: new DeadLetterPublisher(
      parts.producer,
      config.TOPIC_DEAD_LETTER,
      config.CONSUMER_GROUP,
      config.DEAD_LETTER_MAX_BYTES,
    ),
    poisonMaxAttempts: config.POISON_MAX_ATTEMPTS,
    logger: parts.logger,
    metrics: new ConsumerMetrics(parts.registry),
    health: parts.health,
    partitionsConsumedConcurrently: config.PARTITIONS_CONSUMED_CONCURRENTLY,
    maxWaitTimeInMs: config.FETCH_MAX_WAIT,
    sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT,
  };
}

/**
 * The Kafka side of an event-consuming service: the client, its producer (connected: the
 * dead letters go through it, idempotent unless KAFKA_IDEMPOTENT_PRODUCER is off) and the
 * EventConsumer options its settings give (eventConsumerOptions).
 */
export async function connectEventConsumer(
  config: EventConsumerSettings & KafkaSettings & { readonly KAFKA_IDEMPOTENT_PRODUCER: boolean },
  parts: Omit<EventConsumerParts, 'kafka' | 'producer'>,
): Promise<{
  readonly producer: KafkaProducer;
  readonly options: Omit<EventConsumerOptions, 'topics' | 'handler'>;
}> {
  const kafka = createKafka(config, parts.logger);
  const producer = createProducer(kafka, { idempotent: config.KAFKA_IDEMPOTENT_PRODUCER });
  await producer.connect();
  return { producer, options: eventConsumerOptions(config, { ...parts, kafka, producer }) };
}
