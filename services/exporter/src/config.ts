import {
  ALONGSIDE_OTHER_PROBLEMS,
  checkKafkaSettings,
  checkRedisSettings,
  contactCenterSettings,
  kafkaSettings,
  opsSettings,
  redisSettings,
  serviceSettings,
  setting,
} from '@wfm-stream/config';
import { exportQueueSettings } from '@wfm-stream/export';
import { z } from 'zod';

import { targetsSetting } from './targets/config.js';

export const EXPORTER_ROLES = ['scheduler', 'worker'] as const;
export type ExporterRole = (typeof EXPORTER_ROLES)[number];

const roles = z
  .string()
  .default('scheduler,worker')
  .transform((text, ctx) => {
    const items = text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const unknown = items.filter((s) => !(EXPORTER_ROLES as readonly string[]).includes(s));
    if (unknown.length > 0 || items.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must list scheduler, worker or both' });
      return z.NEVER;
    }
    return new Set(items as ExporterRole[]);
  });

export const exporterConfigSchema = z
  .object({
    ...kafkaSettings,
    ...redisSettings,
    ...contactCenterSettings,
    ...serviceSettings,
    ...opsSettings,
    ...exportQueueSettings,
    HTTP_PORT: setting.port(9466),
    /** What this process runs: the scheduler (one active across replicas), the worker, or both. */
    EXPORT_ROLES: roles,
    /** The targets (JSON array); see README.md. */
    EXPORT_TARGETS: targetsSetting(),
    /** Lateness allowance: an interval is exported this long after it closes. */
    EXPORT_DELAY: setting.duration('1m'),
    /** Closed intervals this recent are re-exported when their figures change. */
    EXPORT_RESTATE_WINDOW: setting.duration('2h'),
    /** How often the scheduler looks for due and restated intervals. */
    EXPORT_TICK: setting.duration('15s'),
    /** The scheduler lease: a scheduler that stops renewing is replaced after this long. */
    EXPORT_LEASE_TTL: setting.duration('30s'),
    EXPORT_CONSUMER_GROUP: setting.string('wfm-exporter'),
    /** Delivery attempts before a job is parked on the dead-letter topic. */
    EXPORT_MAX_ATTEMPTS: setting.int(8, 1, 100),
    /** Backoff before the second attempt; doubles per attempt up to EXPORT_RETRY_MAX. */
    EXPORT_RETRY_INITIAL: setting.duration('1s'),
    EXPORT_RETRY_MAX: setting.duration('2m'),
    /** Longest an HTTP request to a target may take. */
    EXPORT_HTTP_TIMEOUT: setting.duration('30s'),
    /** How long the record of a delivery (target, interval, content hash) is kept. */
    EXPORT_DELIVERED_TTL: setting.duration('35d'),
    CONSUMER_SESSION_TIMEOUT: setting.duration('30s'),
    PARTITIONS_CONSUMED_CONCURRENTLY: setting.int(4, 1, 64),
  })
  .superRefine(checkKafkaSettings)
  .superRefine(checkRedisSettings, ALONGSIDE_OTHER_PROBLEMS)
  .superRefine((config, ctx) => {
    if (config.EXPORT_LEASE_TTL < 2 * config.EXPORT_TICK)
      ctx.addIssue({
        code: 'custom',
        path: ['EXPORT_LEASE_TTL'],
        message: 'must be at least twice EXPORT_TICK, so a live scheduler renews its lease in time',
      });
    if (config.EXPORT_RETRY_MAX < config.EXPORT_RETRY_INITIAL)
      ctx.addIssue({
        code: 'custom',
        path: ['EXPORT_RETRY_MAX'],
        message: 'must not be less than EXPORT_RETRY_INITIAL',
      });
  });

export type ExporterConfig = z.output<typeof exporterConfigSchema>;
