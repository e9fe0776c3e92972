import { z } from 'zod';

import { setting } from './values.js';

/**
 * Settings shared by several services. Each service's schema spreads the fragments it
 * needs, adds its own settings, and is the single typed description of its environment.
 * docs/configuration.md lists every variable.
 */

/**
 * Where the brokers and the Redis are has no default: a production service must be told,
 * and never reaches whatever runs on its own machine. `npm start` (libs/local-stack,
 * services/cli) and the tests (libs/testing) give the addresses of their own servers
 * (docs/configuration.md, "Production defaults").
 */
const NO_DEFAULT = 'there is no default; `npm start` and the tests give their own servers';

export const kafkaSettings = {
  /** Comma-separated bootstrap servers. */
  KAFKA_BROKERS: setting.requiredList(`the Kafka bootstrap servers, host:port,… (${NO_DEFAULT})`),
  KAFKA_CLIENT_ID: setting.string('wfm-stream'),
  KAFKA_SSL: setting.bool(false),
  KAFKA_SASL_MECHANISM: z
    .enum(['plain', 'scram-sha-256', 'scram-sha-512'], {
      error: () => 'must be one of plain, scram-sha-256, scram-sha-512',
    })
    .optional(),
  KAFKA_SASL_USERNAME: setting.optionalString(),
  KAFKA_SASL_PASSWORD: setting.optionalString(),
  /** The idempotent producer (acks=all): a retried send never writes a record twice. */
  KAFKA_IDEMPOTENT_PRODUCER: setting.bool(true),
  KAFKA_CONNECTION_TIMEOUT: setting.duration('3s'),
  SCHEMA_REGISTRY_URL: setting.url().optional(),
  SCHEMA_REGISTRY_USERNAME: setting.optionalString(),
  SCHEMA_REGISTRY_PASSWORD: setting.optionalString(),
};

/**
 * Bounds on the work one message can cause, for every consumer of the event topics
 * (docs/events.md, "Limits"): what exceeds them is dead-lettered with the reason.
 */
export const ingestLimitSettings = {
  /** Larger messages are dead-lettered unread. */
  EVENT_MAX_BYTES: setting.int(256 * 1024, 1_024, 16 * 1024 * 1024),
  /** Largest dead-letter record: the original value is cut to fit (its size in a header). */
  DEAD_LETTER_MAX_BYTES: setting.int(512 * 1024, 16 * 1024, 64 * 1024 * 1024),
  /** Failures that retrying cannot fix before a batch's failing events are dead-lettered. */
  POISON_MAX_ATTEMPTS: setting.int(3, 1, 100),
};

export const topicSettings = {
  TOPIC_DIRECTORY: setting.string('cc.directory'),
  TOPIC_CONTACT_EVENTS: setting.string('cc.contact-events'),
  TOPIC_AGENT_EVENTS: setting.string('cc.agent-events'),
  TOPIC_DEAD_LETTER: setting.string('cc.dead-letter'),
};

export const redisSettings = {
  /**
   * A Redis, or (with REDIS_CLUSTER_NODES) the credentials and TLS of every cluster node.
   * One of the two is required (checkRedisSettings).
   */
  REDIS_URL: setting.url(undefined, ['redis', 'rediss']).optional(),
  /** Comma-separated `host:port` seeds of a Redis Cluster; REDIS_URL's host is ignored when set. */
  REDIS_CLUSTER_NODES: setting.optionalString(),
  /** Every key starts with this prefix, so several deployments can share one Redis. */
  REDIS_KEY_PREFIX: setting.keyPrefix('wfm'),
  /** Longest a Redis command may go unanswered before it fails (ioredis commandTimeout). */
  REDIS_COMMAND_TIMEOUT: setting.duration('10s'),
  /** PEM file of the CA(s) that sign the Redis servers' certificates (rediss://). */
  REDIS_TLS_CA_FILE: setting.optionalString(),
};

export const contactCenterSettings = {
  /** The contact center's own zone: "the day" for uniqueness, online figures and exports. */
  TIMEZONE: setting.timeZone('UTC'),
  /** The external system's name: the static service's id and name, and `systemId` in pushes. */
  SYSTEM_ID: setting.string('External system'),
};

export const serviceSettings = {
  LOG_LEVEL: setting.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
};

/** The listen address of a service's API (the reader's: what the WFM calls). */
export const apiSettings = {
  HTTP_HOST: setting.string('0.0.0.0'),
};

/**
 * The listen address of `/healthz`, `/readyz` and `/metrics`: loopback unless set, so
 * the probes and metrics are not on every interface by default (docs/security.md).
 */
export const opsSettings = {
  OPS_HOST: setting.string('127.0.0.1'),
};

/**
 * Every shared setting of a service that consumes the event topics (the aggregator, the
 * emitter): the brokers, the bounds of one message, the topics, the Redis, the contact
 * center, the log level and the ops address. Each adds its group and fetch settings.
 */
export const eventConsumerServiceSettings = {
  ...kafkaSettings,
  ...ingestLimitSettings,
  ...topicSettings,
  ...redisSettings,
  ...contactCenterSettings,
  ...serviceSettings,
  ...opsSettings,
};

/**
 * Runs a cross-field check even when other settings failed: it must read only raw values
 * that it checks itself (strings or undefined).
 */
export const ALONGSIDE_OTHER_PROBLEMS: z.core.$ZodSuperRefineParams = {
  when: (payload) => typeof payload.value === 'object' && payload.value !== null,
};

/** The message when neither REDIS_URL nor REDIS_CLUSTER_NODES is given. */
export const REDIS_REQUIRED = `REDIS_URL or REDIS_CLUSTER_NODES is required: the Redis (redis://host:port) or the nodes of a Redis Cluster (${NO_DEFAULT})`;

/**
 * Cross-field rules of the Redis settings: a Redis or a cluster must be named. Give it
 * `ALONGSIDE_OTHER_PROBLEMS` (`.superRefine(checkRedisSettings, ALONGSIDE_OTHER_PROBLEMS)`),
 * so that a missing Redis is reported with a missing KAFKA_BROKERS, not after it is fixed.
 */
export function checkRedisSettings(
  config: { REDIS_URL?: string | undefined; REDIS_CLUSTER_NODES?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (config.REDIS_URL === undefined && (config.REDIS_CLUSTER_NODES ?? '').trim() === '')
    ctx.addIssue({ code: 'custom', path: [], message: REDIS_REQUIRED });
}

/** Cross-field rules of the Kafka settings. */
export function checkKafkaSettings(
  config: {
    KAFKA_SASL_MECHANISM?: string | undefined;
    KAFKA_SASL_USERNAME?: string | undefined;
    KAFKA_SASL_PASSWORD?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (config.KAFKA_SASL_MECHANISM !== undefined) {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (config[name] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'is required when KAFKA_SASL_MECHANISM is set',
        });
      }
    }
  }
}
