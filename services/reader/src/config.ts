import { contactCenterSettings, redisSettings, serviceSettings, setting } from '@wfm-stream/config';
import { z } from 'zod';

export const readerConfigSchema = z.object({
  ...redisSettings,
  ...contactCenterSettings,
  ...serviceSettings,
  HTTP_PORT: setting.port(8080),
  /** Longest period one historic request may cover (SPEC §3). */
  MAX_QUERY_DAYS: setting.int(31, 1, 366),
  /** Most ids (groups, agents) one request may list. */
  MAX_IDS_PER_REQUEST: setting.int(500, 1, 100_000),
});

export type ReaderConfig = z.output<typeof readerConfigSchema>;
