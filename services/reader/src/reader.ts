import { createRegistry, Health, type Logger } from '@wfm-stream/observability';
import { connectRedis, DirectoryStore, HistoricQueries, Keys } from '@wfm-stream/store';

import { buildApp, type ReaderApp } from './app.js';
import type { ReaderConfig } from './config.js';
import { serviceGroupDataRoute } from './routes/service-group-data.js';

export interface RunningReader {
  readonly app: ReaderApp;
  readonly port: number;
  stop(): Promise<void>;
}

/** The state generation the reader serves; see docs/operations.md (rebuild). */
const GENERATION = 'g0';
const DAY_SECONDS = 86_400;

export async function startReader(config: ReaderConfig, logger: Logger): Promise<RunningReader> {
  const health = new Health();
  const registry = createRegistry('reader');
  const redis = connectRedis({
    url: config.REDIS_URL,
    clusterNodes: config.REDIS_CLUSTER_NODES?.split(','),
    name: 'wfm-reader',
  });
  health.register('redis');
  redis.on('ready', () => {
    health.set('redis', true);
  });
  redis.on('end', () => {
    health.set('redis', false, 'connection closed');
  });
  redis.on('error', (error: Error) => {
    health.set('redis', false, error.message);
  });

  const keys = new Keys(`${config.REDIS_KEY_PREFIX}:${GENERATION}`);
  const directory = new DirectoryStore(redis, keys, 400 * DAY_SECONDS);
  const app = await buildApp({
    health,
    registry,
    logger,
    routes: [
      serviceGroupDataRoute({
        historic: new HistoricQueries(redis, keys),
        directory,
        systemId: config.SYSTEM_ID,
        maxQueryDays: config.MAX_QUERY_DAYS,
        maxIds: config.MAX_IDS_PER_REQUEST,
      }),
    ],
  });
  await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  const address = app.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : config.HTTP_PORT;
  logger.info({ port }, 'reader listening');
  return {
    app,
    port,
    async stop() {
      await app.close();
      redis.disconnect();
    },
  };
}
