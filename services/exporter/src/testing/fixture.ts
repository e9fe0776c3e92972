import type { TimeZone } from '@wfm-stream/core';
import { ExportQueue } from '@wfm-stream/export';
import { createProducer } from '@wfm-stream/kafka';
import type { WfmEvent } from '@wfm-stream/schemas';
import { connectRedis, initialStateKeys, type RedisClient } from '@wfm-stream/store';
import {
  createTopics,
  endOffsets,
  redisConnection,
  redisNamespace,
  testKafka,
  testStack,
} from '@wfm-stream/testing';

import type { ExporterConfig } from '../config.js';
import { exporterTestConfig } from './config.js';
import { applyEvents } from './events.js';

/**
 * What an exporter int spec stands on: a Redis namespace of its own holding a simulated
 * contact center, job and dead-letter topics of its own, a producer and the export queue
 * over those topics. `start` in `beforeAll`, `stop` in `afterAll` (after the exporter).
 */
export class ExporterFixture {
  readonly ns = redisNamespace();
  readonly kafka = testKafka();
  readonly producer = createProducer(this.kafka, { idempotent: true });
  /** Named after the namespace, which no other test uses. */
  readonly topics = {
    jobs: `export-jobs-${this.ns.prefix}`,
    deadLetter: `export-dlq-${this.ns.prefix}`,
  };
  readonly queue = new ExportQueue(this.kafka, this.producer, this.topics);
  /** The keys of the state the exporter reads. */
  readonly keys = initialStateKeys(this.ns.prefix);
  #redis: RedisClient | undefined;
  #producing = false;

  /** The spec's own Redis connection; there once `start` has run. */
  get redis(): RedisClient {
    if (this.#redis === undefined) throw new Error('ExporterFixture.start has not run');
    return this.#redis;
  }

  /**
   * Writes `events` into the namespace as the aggregator would, creates the job topic
   * (`jobPartitions`, 1 unless told) and the dead-letter topic (unless `deadLetterTopic`
   * is false), and connects the producer (unless `producer` is false).
   */
  async start(options: {
    zone: TimeZone;
    events: readonly WfmEvent[];
    jobPartitions?: number;
    deadLetterTopic?: boolean;
    producer?: boolean;
  }): Promise<void> {
    this.#redis = connectRedis(redisConnection());
    await applyEvents(this.#redis, this.keys, options.zone, options.events);
    await createTopics([
      { name: this.topics.jobs, partitions: options.jobPartitions ?? 1 },
      ...(options.deadLetterTopic === false
        ? []
        : [{ name: this.topics.deadLetter, partitions: 1 }]),
    ]);
    if (options.producer === false) return;
    await this.producer.connect();
    this.#producing = true;
  }

  /** An exporter configuration over this namespace and these topics, plus `settings`. */
  config(settings: Record<string, string>): ExporterConfig {
    return exporterTestConfig(testStack(), {
      REDIS_KEY_PREFIX: this.ns.prefix,
      TOPIC_EXPORT_JOBS: this.topics.jobs,
      TOPIC_EXPORT_DEAD_LETTER: this.topics.deadLetter,
      ...settings,
    });
  }

  /** Messages on the dead-letter topic so far. */
  deadLetters(): Promise<number> {
    return endOffsets(this.kafka, this.topics.deadLetter);
  }

  /** Disconnects what `start` connected and deletes the namespace's keys. */
  async stop(): Promise<void> {
    if (this.#producing) await this.producer.disconnect();
    this.#redis?.disconnect();
    await this.ns.cleanup();
  }
}
