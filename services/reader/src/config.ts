import {
  ALONGSIDE_OTHER_PROBLEMS,
  apiSettings,
  checkRedisSettings,
  contactCenterSettings,
  opsSettings,
  redisSettings,
  serviceSettings,
  setting,
} from '@wfm-stream/config';
import { z } from 'zod';

import type { ServerLimits } from './app.js';

export const readerConfigSchema = z
  .object({
    ...redisSettings,
    ...contactCenterSettings,
    ...serviceSettings,
    ...apiSettings,
    ...opsSettings,
    HTTP_PORT: setting.port(8080),
    /**
     * When set, /healthz, /readyz and /metrics move off the API port to OPS_HOST:OPS_PORT
     * (loopback unless OPS_HOST says otherwise), so the API port serves only the API.
     */
    OPS_PORT: setting.optionalPort(),
    /** Longest a connection may be idle, waiting for a request or an answer (docs/security.md). */
    READER_CONNECTION_TIMEOUT: setting.duration('60s'),
    /** Longest a client may take to send a whole request, headers and body. */
    READER_REQUEST_TIMEOUT: setting.duration('10s'),
    /** How long an idle keep-alive connection is kept open between requests. */
    READER_KEEP_ALIVE_TIMEOUT: setting.duration('5s'),
    /**
     * How long a request keeps retrying Redis errors that say "not now" (a Redis Cluster
     * failover, a lost connection) before it is answered 503 with Retry-After.
     */
    READER_REDIS_RETRY_BUDGET: setting.duration('5s'),
    /** The largest request body accepted (the API takes none): bytes. */
    READER_BODY_LIMIT: setting.int(16_384, 1, 1_048_576),
    /** The longest route parameter accepted: characters. */
    READER_MAX_PARAM_LENGTH: setting.int(100, 1, 10_000),
    /** Longest period one historic request may cover (docs/api.md, "Conventions"). */
    MAX_QUERY_DAYS: setting.int(31, 1, 366),
    /** Most ids (groups, agents) one request may list. */
    MAX_IDS_PER_REQUEST: setting.int(500, 1, 100_000),
    /** Memory for answers kept until their data change (0 turns the cache off). */
    READER_CACHE_MB: setting.int(64, 0, 65_536),
    /** How a state without a group is reported in agentStatusData (docs/api.md). */
    STATUS_GROUP_LINKING: setting.oneOf(['all-groups', 'none'], 'all-groups'),
    /** Access control: API keys (default), HTTP basic, or none (explicitly). */
    READER_AUTH: setting.oneOf(['api-key', 'basic', 'none'], 'api-key'),
    /** Accepted API keys, comma-separated. */
    READER_API_KEYS: z.string().default('').transform(splitList),
    /** Accepted `user:password` pairs, comma-separated. */
    READER_BASIC_USERS: z.string().default('').transform(splitList),
    /**
     * Signs the dashboard's session cookies (at least 32 characters). Without it the
     * secret is derived from the credentials, so every replica with the same credentials
     * derives the same one, and changing the credentials ends every session.
     */
    READER_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** How long a dashboard session lasts after its login. */
    READER_SESSION_TTL: setting.duration('12h'),
    /** The dashboard, /dashboard (docs/dashboard.md). */
    DASHBOARD: setting.bool(true),
    /**
     * The answer-time targets, shown next to each group's service level. The aggregator
     * applies them (docs/api.md); give the reader the same values.
     */
    SERVICE_LEVEL_SECONDS: setting.int(20, 0, 86_400),
    SERVICE_LEVEL_SECONDS_BY_GROUP: groupNumbers(0, 86_400),
    /** The share of answers within the target that a group aims at, percent. */
    SERVICE_LEVEL_GOAL_PERCENT: setting.int(80, 1, 100),
    SERVICE_LEVEL_GOAL_PERCENT_BY_GROUP: groupNumbers(1, 100),
    /** Most clients of the live stream at once; more are answered 503. 0 turns it off. */
    LIVE_MAX_CLIENTS: setting.int(1000, 0, 100_000),
    /** How often the live stream recomputes everything, whatever the change notices said. */
    LIVE_RECONCILE_INTERVAL: setting.duration('5s'),
    /** How often the live stream sends a heartbeat to each client. */
    LIVE_HEARTBEAT_INTERVAL: setting.duration('10s'),
  })
  .superRefine(checkRedisSettings, ALONGSIDE_OTHER_PROBLEMS)
  .superRefine((config, ctx) => {
    // a live stream is idle between heartbeats: the idle bound must leave it open
    if (
      config.LIVE_MAX_CLIENTS > 0 &&
      config.READER_CONNECTION_TIMEOUT <= config.LIVE_HEARTBEAT_INTERVAL
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['READER_CONNECTION_TIMEOUT'],
        message:
          'must be longer than LIVE_HEARTBEAT_INTERVAL, or the live stream is cut between heartbeats',
      });
    }
    if (config.READER_AUTH === 'api-key' && config.READER_API_KEYS.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['READER_API_KEYS'],
        message:
          'is required when READER_AUTH is api-key (the default); set READER_AUTH=none to serve without access control',
      });
    }
    if (config.READER_AUTH === 'basic' && config.READER_BASIC_USERS.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['READER_BASIC_USERS'],
        message: 'is required when READER_AUTH is basic (user:password,…)',
      });
    }
    for (const pair of config.READER_BASIC_USERS) {
      if (!pair.includes(':'))
        ctx.addIssue({
          code: 'custom',
          path: ['READER_BASIC_USERS'],
          message: 'must list user:password pairs',
        });
    }
  });

/** `groupId=number,…` with each number a whole number in [min, max]. */
function groupNumbers(min: number, max: number) {
  return z
    .string()
    .default('')
    .transform((text, ctx) => {
      const map = new Map<string, number>();
      for (const item of splitList(text)) {
        const m = /^(.+)=(\d+)$/.exec(item);
        const value = Number(m?.[2]);
        if (!m || value < min || value > max) {
          ctx.addIssue({
            code: 'custom',
            message: `"${item}" is not groupId=number with the number from ${min} to ${max}`,
          });
          continue;
        }
        map.set((m[1] ?? '').trim(), value);
      }
      return map;
    });
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export type ReaderConfig = z.output<typeof readerConfigSchema>;

/** The server's limits as the READER_* settings give them (docs/configuration.md). */
export function serverLimitsOf(config: ReaderConfig): ServerLimits {
  return {
    connectionTimeoutMs: config.READER_CONNECTION_TIMEOUT,
    requestTimeoutMs: config.READER_REQUEST_TIMEOUT,
    keepAliveTimeoutMs: config.READER_KEEP_ALIVE_TIMEOUT,
    redisRetryBudgetMs: config.READER_REDIS_RETRY_BUDGET,
    bodyLimitBytes: config.READER_BODY_LIMIT,
    maxParamLength: config.READER_MAX_PARAM_LENGTH,
  };
}
