import { type OpsServer, startOpsServer } from '@wfm-stream/observability';

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

export interface ServiceOpsOptions extends Pick<
  StatusReporterOptions,
  'redis' | 'service' | 'health' | 'collectors'
> {
  readonly config: {
    readonly OPS_HOST: string;
    readonly HTTP_PORT: number;
    readonly REDIS_KEY_PREFIX: string;
  };
  readonly registry: Parameters<typeof startOpsServer>[0]['registry'];
  readonly logger: NonNullable<StatusReporterOptions['logger']>;
}

/**
 * Starts `/healthz`, `/readyz` and `/metrics` on `OPS_HOST:HTTP_PORT`, then the instance's
 * snapshot on the dashboard's status board (docs/dashboard.md): what the aggregator, the
 * emitter and the exporter each start before they consume.
 */
export async function startServiceOps(options: ServiceOpsOptions): Promise<ServiceOps> {
  const { config, redis, service, health, registry, logger, collectors } = options;
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
