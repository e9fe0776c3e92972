import {
  type DeadLetterPublisher,
  eventConsumerCollectors,
  type LatencyMetric,
} from '@wfm-stream/kafka';
import { type OpsServer, startOpsServer } from '@wfm-stream/observability';

import type { ServiceBase } from '../service-base.js';
import {
  startStatusReporter,
  type StatusReporter,
  type StatusReporterOptions,
} from './status-reporter.js';

/** A consumer service's ops server and its status reporter, started together. */
export interface ServiceOps {
  readonly ops: OpsServer;
  readonly status: StatusReporter;
}

/** The settings the ops server and the status reporter read. */
export interface ServiceOpsConfig {
  readonly OPS_HOST: string;
  readonly HTTP_PORT: number;
  readonly REDIS_KEY_PREFIX: string;
}

/**
 * Starts `/healthz`, `/readyz` and `/metrics` on `OPS_HOST:HTTP_PORT`, then the instance's
 * snapshot on the dashboard's status board (docs/dashboard.md), with what `collectors`
 * add to it: what the aggregator, the emitter and the exporter each start before they
 * consume.
 */
export async function startServiceOps(
  base: ServiceBase,
  config: ServiceOpsConfig,
  collectors: StatusReporterOptions['collectors'] = [],
): Promise<ServiceOps> {
  const { redis, service, health, registry, logger } = base;
  const ops = await startOpsServer({
    host: config.OPS_HOST,
    port: config.HTTP_PORT,
    health,
    registry,
  });
  const status = startStatusReporter({
    redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    service,
    health,
    logger,
    collectors,
  });
  return { ops, status };
}

/**
 * {@link startServiceOps} for a service that consumes events (the aggregator, the
 * emitter): its snapshot carries the consumer's section and the latencies it names
 * (eventConsumerCollectors).
 */
export function startConsumerServiceOps(
  base: ServiceBase,
  config: ServiceOpsConfig & { readonly CONSUMER_GROUP: string },
  consumer: {
    readonly deadLetter: DeadLetterPublisher;
    readonly latencies: Readonly<Record<string, LatencyMetric>>;
  },
): Promise<ServiceOps> {
  const collectors = eventConsumerCollectors({
    registry: base.registry,
    group: config.CONSUMER_GROUP,
    ...consumer,
  });
  return startServiceOps(base, config, collectors);
}
