import { randomUUID } from 'node:crypto';

import { ExportQueue } from '@wfm-stream/export';
import { createKafka, createProducer } from '@wfm-stream/kafka';
import type { Health, Logger } from '@wfm-stream/observability';
import {
  ExportKeys,
  GenerationFollower,
  GenerationPointer,
  Keys,
  startServiceBase,
  startServiceOps,
} from '@wfm-stream/store';

import { ExportActivity } from './activity.js';
import type { ExporterConfig } from './config.js';
import { DeliveredLog } from './delivered.js';
import { SchedulerLease } from './lease.js';
import { ExporterMetrics } from './metrics.js';
import { RecordSource } from './record-source.js';
import { Scheduler } from './scheduler.js';
import { createTarget } from './targets/index.js';
import type { Target } from './targets/types.js';
import { ExportWorker } from './worker.js';

export interface ExporterOptions {
  /** The scheduler's clock; tests move it. */
  readonly now?: () => number;
  /** The scheduler's lease owner id (default: a fresh UUID). */
  readonly ownerId?: string;
}

export interface RunningExporter {
  readonly health: Health;
  readonly opsPort: number;
  readonly scheduler?: Scheduler | undefined;
  readonly worker?: ExportWorker | undefined;
  /** Stops scheduling (releasing the lease), abandons the job in hand, leaves the group. */
  stop(): Promise<void>;
}

/** At most this many intervals per target per tick when catching up after downtime. */
const MAX_INTERVALS_PER_TICK = 500;

export async function startExporter(
  config: ExporterConfig,
  logger: Logger,
  options: ExporterOptions = {},
): Promise<RunningExporter> {
  const base = startServiceBase('exporter', config, logger);
  const { health, registry, connection, redis } = base;
  const metrics = new ExporterMetrics(registry);

  const exportKeys = new ExportKeys(config.REDIS_KEY_PREFIX);
  // the figures of the generation the pointer names, as the reader serves them
  const follower = await GenerationFollower.start(
    new GenerationPointer(redis, config.REDIS_KEY_PREFIX),
    {
      onError: (error) => {
        logger.warn({ err: error }, 'could not read the generation pointer');
      },
    },
  );
  const source = new RecordSource(redis, new Keys(() => follower.prefix()));
  const kafka = createKafka(config, logger);
  const producer = createProducer(kafka, { idempotent: config.KAFKA_IDEMPOTENT_PRODUCER });
  await producer.connect();
  const queue = new ExportQueue(kafka, producer, {
    jobs: config.TOPIC_EXPORT_JOBS,
    deadLetter: config.TOPIC_EXPORT_DEAD_LETTER,
  });
  const targets = new Map<string, Target>(
    config.EXPORT_TARGETS.map((t) => [
      t.name,
      createTarget(t, { zone: config.TIMEZONE, httpTimeoutMs: config.EXPORT_HTTP_TIMEOUT }),
    ]),
  );

  let scheduler: Scheduler | undefined;
  if (config.EXPORT_ROLES.has('scheduler')) {
    scheduler = new Scheduler({
      redis,
      keys: exportKeys,
      lease: new SchedulerLease(
        redis,
        exportKeys,
        options.ownerId ?? randomUUID(),
        config.EXPORT_LEASE_TTL,
      ),
      queue,
      source,
      settings: {
        zone: config.TIMEZONE,
        stepMs: config.EXPORT_STEP,
        delayMs: config.EXPORT_DELAY,
        restateWindowMs: config.EXPORT_RESTATE_WINDOW,
        maxIntervalsPerTick: MAX_INTERVALS_PER_TICK,
      },
      targets: [...targets.keys()],
      tickMs: config.EXPORT_TICK,
      logger: logger.child({ component: 'scheduler' }),
      metrics,
      now: options.now ?? Date.now,
    });
  }
  const activity = new ExportActivity();
  let worker: ExportWorker | undefined;
  if (config.EXPORT_ROLES.has('worker')) {
    worker = new ExportWorker({
      kafka,
      queue,
      groupId: config.EXPORT_CONSUMER_GROUP,
      targets,
      source,
      delivered: new DeliveredLog(redis, exportKeys, config.EXPORT_DELIVERED_TTL),
      retry: {
        maxAttempts: config.EXPORT_MAX_ATTEMPTS,
        initialMs: config.EXPORT_RETRY_INITIAL,
        maxMs: config.EXPORT_RETRY_MAX,
      },
      logger: logger.child({ component: 'worker' }),
      metrics,
      health,
      sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT,
      partitionsConsumedConcurrently: config.PARTITIONS_CONSUMED_CONCURRENTLY,
      activity,
    });
  }

  // the dashboard's Exports view (docs/dashboard.md)
  const { ops, status } = await startServiceOps(base, config, [activity.collector()]);
  await worker?.start();
  scheduler?.start();
  logger.info(
    {
      opsPort: ops.port,
      roles: [...config.EXPORT_ROLES],
      targets: config.EXPORT_TARGETS.map((t) => `${t.name} (${t.kind})`),
      step: config.EXPORT_STEP,
      zone: config.TIMEZONE.name,
    },
    'exporter started',
  );

  return {
    health,
    opsPort: ops.port,
    scheduler,
    worker,
    async stop() {
      await scheduler?.stop();
      await worker?.stop();
      await status.stop();
      await producer.disconnect();
      await ops.close();
      await follower.stop();
      connection.close();
      logger.info('exporter stopped');
    },
  };
}
