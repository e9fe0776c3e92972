import { createRegistry, Health, type Logger } from '@wfm-stream/observability';

import type { RedisClient, RedisSettings } from './connection.js';
import { connectServiceRedis, type ServiceRedis } from './service-connection.js';

/** The four services, by the name their metrics, logs and status snapshots carry. */
export type ServiceName = 'aggregator' | 'emitter' | 'exporter' | 'reader';

/** What every service starts from: its health, its metrics and its Redis connection. */
export interface ServiceBase {
  readonly service: ServiceName;
  readonly logger: Logger;
  readonly health: Health;
  readonly registry: ReturnType<typeof createRegistry>;
  /** The connection, its readiness probe and its metrics (connectServiceRedis). */
  readonly connection: ServiceRedis;
  readonly redis: RedisClient;
}

/**
 * The first step of every service's start: a health with the `redis` component, the
 * registry of its metrics (`service` label), and its Redis connection as `wfm-<service>`
 * (docs/architecture.md, "Where the code lives").
 */
export function startServiceBase(
  service: ServiceName,
  config: RedisSettings,
  logger: Logger,
): ServiceBase {
  const health = new Health(logger);
  const registry = createRegistry(service);
  const connection = connectServiceRedis({
    config,
    name: `wfm-${service}`,
    health,
    registry,
    logger,
  });
  return { service, logger, health, registry, connection, redis: connection.redis };
}
