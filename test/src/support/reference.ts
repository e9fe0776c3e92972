import {
  aggregatorConfigSchema,
  type RunningAggregator,
  startAggregator,
} from '@wfm-stream/aggregator';
import { loadConfig } from '@wfm-stream/config';
import { silentLogger } from '@wfm-stream/observability';
import { uniqueName } from '@wfm-stream/testing';

/** An aggregator in this process, in a consumer group of its own. */
export interface ReferenceAggregator {
  readonly group: string;
  readonly aggregator: RunningAggregator;
}

/**
 * The uninterrupted run a test compares with: an aggregator in process, never stopped or
 * rebuilt, reading the topics of `env` from the start into `prefix`.
 */
export async function startReferenceAggregator(
  env: Readonly<Record<string, string>>,
  prefix: string,
): Promise<ReferenceAggregator> {
  const group = uniqueName('reference');
  const aggregator = await startAggregator(
    loadConfig(aggregatorConfigSchema, {
      ...env,
      CONSUMER_GROUP: group,
      REDIS_KEY_PREFIX: prefix,
      HTTP_PORT: '0',
    }),
    silentLogger(),
  );
  return { group, aggregator };
}
