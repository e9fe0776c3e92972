import { randomBytes } from 'node:crypto';
import os from 'node:os';

import type { TimeZone } from '@wfm-stream/core';
import { connectEventConsumer, EventConsumer } from '@wfm-stream/kafka';
import type { Health, Logger } from '@wfm-stream/observability';
import {
  AgentAggregation,
  ChangeNotifier,
  ContactAggregation,
  DirectoryStore,
  GapRecords,
  GenerationFollower,
  GenerationPointer,
  Keys,
  PartitionProgress,
  type RedisClient,
  startConsumerServiceOps,
  startServiceBase,
} from '@wfm-stream/store';

import type { AggregatorConfig } from './config.js';
import { aggregatorHandler, type AggregatorStores } from './handler.js';

export interface RunningAggregator {
  readonly health: Health;
  readonly opsPort: number;
  /** Finishes the batch in hand, commits, leaves the group, closes connections. */
  stop(): Promise<void>;
}

const DAY_SECONDS = 86_400;

/** What the stores of a generation are built with (docs/configuration.md, "aggregator"). */
export interface AggregatorStoreSettings {
  readonly zone: TimeZone;
  readonly serviceLevelMs: (groupId: string) => number;
  /** How long an event id is remembered (DEDUPE_WINDOW); a contact's state lives as long. */
  readonly dedupeWindowMs: number;
  readonly retentionSeconds: number;
  readonly maxEventsPerContact?: number;
  readonly maxSpanMs?: number;
}

/** The stores the aggregator writes under `keys` (one generation's). */
export function aggregatorStores(
  redis: RedisClient,
  keys: Keys,
  settings: AggregatorStoreSettings,
): AggregatorStores {
  const { dedupeWindowMs, retentionSeconds } = settings;
  return {
    contacts: new ContactAggregation(redis, keys, {
      zone: settings.zone,
      serviceLevelMs: settings.serviceLevelMs,
      stateTtlSeconds: Math.ceil(dedupeWindowMs / 1000),
      retentionSeconds,
      maxEventsPerContact: settings.maxEventsPerContact,
      maxSpanMs: settings.maxSpanMs,
    }),
    directory: new DirectoryStore(redis, keys, retentionSeconds),
    agents: new AgentAggregation(redis, keys, { dedupeWindowMs, retentionSeconds }),
  };
}

/** Avro decoding when a Schema Registry is configured; JSON is always accepted. */
export async function startAggregator(
  config: AggregatorConfig,
  logger: Logger,
): Promise<RunningAggregator> {
  const base = startServiceBase('aggregator', config, logger);
  const { health, registry, connection, redis } = base;

  const retentionSeconds = config.RETENTION_DAYS * DAY_SECONDS;
  const storesOf = (generation: string): AggregatorStores =>
    aggregatorStores(redis, new Keys(pointer.prefixOf(generation)), {
      zone: config.TIMEZONE,
      serviceLevelMs: (groupId) =>
        (config.SERVICE_LEVEL_SECONDS_BY_GROUP.get(groupId) ?? config.SERVICE_LEVEL_SECONDS) * 1000,
      dedupeWindowMs: config.DEDUPE_WINDOW,
      retentionSeconds,
      maxEventsPerContact: config.CONTACT_MAX_EVENTS,
      maxSpanMs: config.CONTACT_MAX_SPAN,
    });
  // A live aggregator follows the generation pointer (a rebuild moves it); the one a
  // rebuild runs writes the generation it is given.
  const pointer = new GenerationPointer(redis, config.REDIS_KEY_PREFIX);
  const fixed = config.STATE_GENERATION;
  const follower =
    fixed === undefined
      ? await GenerationFollower.start(pointer, {
          member: `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
          onError: (error) => {
            logger.warn({ err: error }, 'could not read the generation pointer');
          },
        })
      : undefined;
  const stores = new Map<string, AggregatorStores>();
  const storesNow = (): AggregatorStores => {
    const generation = follower?.current() ?? fixed ?? '';
    let found = stores.get(generation);
    if (found === undefined) {
      if (stores.size > 0) logger.info({ generation }, 'now writing state generation');
      found = storesOf(generation);
      stores.set(generation, found);
    }
    return found;
  };

  // the readers' live stream hears of every durable batch (docs/dashboard.md)
  const notifier = new ChangeNotifier(redis, config.REDIS_KEY_PREFIX, { logger });
  const handle = aggregatorHandler(storesNow, logger, {
    maxEventsPerContact: config.CONTACT_MAX_EVENTS,
  });
  const { producer, options } = await connectEventConsumer(config, { logger, registry, health });
  const { deadLetter } = options;
  const consumer = new EventConsumer({
    ...options,
    topics: [
      { topic: config.TOPIC_DIRECTORY, stream: 'directory' },
      { topic: config.TOPIC_CONTACT_EVENTS, stream: 'contacts' },
      { topic: config.TOPIC_AGENT_EVENTS, stream: 'agents' },
    ],
    handler: async (batch, context) => {
      await handle(batch, context);
      // a rebuild's aggregator fills a generation no reader serves yet: nothing to tell
      if (fixed === undefined) notifier.notify(batch.stream);
    },
    // where the state's effects stand, and what the topics lost (docs/architecture.md)
    progress: new PartitionProgress(
      redis,
      () => new Keys(pointer.prefixOf(follower?.current() ?? fixed ?? '')),
      config.CONSUMER_GROUP,
      retentionSeconds,
    ),
    gaps: new GapRecords(redis, config.REDIS_KEY_PREFIX, retentionSeconds),
    compactedTopics: [config.TOPIC_DIRECTORY],
  });
  const { ops, status } = await startConsumerServiceOps(base, config, {
    deadLetter,
    latencies: {
      // from an event's append to Kafka to its figures in Redis
      onlineFreshness: {
        metric: 'wfm_event_processing_delay_seconds',
        filter: (labels) => labels.topic !== config.TOPIC_DIRECTORY,
      },
    },
  });
  await consumer.start();
  logger.info(
    {
      opsPort: ops.port,
      group: config.CONSUMER_GROUP,
      generation: fixed ?? 'as the pointer names it',
    },
    'aggregator started',
  );

  return {
    health,
    opsPort: ops.port,
    async stop() {
      await consumer.stop();
      notifier.close();
      await status.stop();
      await follower?.stop();
      await producer.disconnect();
      await ops.close();
      connection.close();
      logger.info('aggregator stopped');
    },
  };
}
