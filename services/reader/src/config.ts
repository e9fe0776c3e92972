import {
  apiSettings,
  contactCenterSettings,
  opsSettings,
  redisSettings,
  serviceSettings,
  setting,
} from '@wfm-stream/config';
import { z } from 'zod';

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
    /** The largest request body accepted (the API takes none): bytes. */
    READER_BODY_LIMIT: setting.int(16_384, 1, 1_048_576),
    /** The longest route parameter accepted: characters. */
    READER_MAX_PARAM_LENGTH: setting.int(100, 1, 10_000),
    /** Longest period one historic request may cover (SPEC §3). */
    MAX_QUERY_DAYS: setting.int(31, 1, 366),
    /** Most ids (groups, agents) one request may list. */
    MAX_IDS_PER_REQUEST: setting.int(500, 1, 100_000),
    /** Memory for answers kept until their data change (0 turns the cache off). */
    READER_CACHE_MB: setting.int(64, 0, 65_536),
    /** How a state without a group is reported in agentStatusData (SPEC §5). */
    STATUS_GROUP_LINKING: setting.oneOf(['all-groups', 'none'], 'all-groups'),
    /** Access control: API keys (default), HTTP basic, or none (explicitly). */
    READER_AUTH: setting.oneOf(['api-key', 'basic', 'none'], 'api-key'),
    /** Accepted API keys, comma-separated. */
    READER_API_KEYS: z.string().default('').transform(splitList),
    /** Accepted `user:password` pairs, comma-separated. */
    READER_BASIC_USERS: z.string().default('').transform(splitList),
  })
  .superRefine((config, ctx) => {
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

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export type ReaderConfig = z.output<typeof readerConfigSchema>;
