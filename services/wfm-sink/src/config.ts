import { serviceSettings, setting } from '@wfm-stream/config';
import { z } from 'zod';

export const sinkConfigSchema = z.object({
  ...serviceSettings,
  HTTP_HOST: setting.string('127.0.0.1'),
  HTTP_PORT: setting.port(9480),
  /** Receipts kept in memory for GET /_sink/received. */
  SINK_MAX_KEPT: setting.int(100_000, 1, 10_000_000),
});

export type SinkConfig = z.output<typeof sinkConfigSchema>;
