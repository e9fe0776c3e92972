import { loadConfig } from '@wfm-stream/config';
import { redisEnv, type TestStackInfo } from '@wfm-stream/testing';

import { type ExporterConfig, exporterConfigSchema } from '../config.js';

/** An exporter configuration for tests: the run's servers, fast retries, silent logs. */
export function exporterTestConfig(
  stack: TestStackInfo,
  settings: Record<string, string>,
): ExporterConfig {
  return loadConfig(exporterConfigSchema, {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    // the run's Redis: its cluster's nodes, credentials and CA under TEST_REDIS=cluster
    ...redisEnv(stack),
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    EXPORT_RETRY_INITIAL: '20ms',
    EXPORT_RETRY_MAX: '100ms',
    EXPORT_HTTP_TIMEOUT: '2s',
    CONSUMER_SESSION_TIMEOUT: '10s',
    ...settings,
  });
}
