import {
  createRegistry,
  Health,
  type Logger,
  type OpsServer,
  startOpsServer,
} from '@wfm-stream/observability';
import {
  AgentQueries,
  connectServiceRedis,
  DirectoryStore,
  GenerationFollower,
  GenerationPointer,
  HistoricQueries,
  Keys,
  OnlineQueries,
} from '@wfm-stream/store';

import { AnswerCache } from './answer-cache.js';
import { buildApp, type ReaderApp } from './app.js';
import type { ReaderConfig } from './config.js';
import { agentCallsDataRoute } from './routes/agent-calls-data.js';
import { agentChatsWorkTimeRoute } from './routes/agent-chats-work-time.js';
import type { AgentRouteDeps } from './routes/agent-deps.js';
import { agentLoginDataRoute } from './routes/agent-login-data.js';
import { agentStatusDataRoute } from './routes/agent-status-data.js';
import { agentStatusRoute, groupsOnlineLoadRoute, type OnlineRouteDeps } from './routes/online.js';
import { personnelRoute } from './routes/personnel.js';
import { serviceGroupDataRoute } from './routes/service-group-data.js';
import { VERSION } from './version.js';

export interface RunningReader {
  readonly app: ReaderApp;
  readonly port: number;
  /** The port of /healthz, /readyz and /metrics when OPS_PORT moved them off the API. */
  readonly opsPort: number | undefined;
  stop(): Promise<void>;
}

const DAY_SECONDS = 86_400;

export interface ReaderOptions {
  /** The clock "today" is taken from; tests move it. */
  readonly now?: () => number;
}

export async function startReader(
  config: ReaderConfig,
  logger: Logger,
  options: ReaderOptions = {},
): Promise<RunningReader> {
  const health = new Health(logger);
  const registry = createRegistry('reader');
  const connection = connectServiceRedis({
    config,
    name: 'wfm-reader',
    health,
    registry,
  });
  const redis = connection.redis;

  // the generation the pointer names (a rebuild moves it; see generation.ts)
  const follower = await GenerationFollower.start(
    new GenerationPointer(redis, config.REDIS_KEY_PREFIX),
    {
      onError: (error) => {
        logger.warn({ err: error }, 'could not read the generation pointer');
      },
    },
  );
  const keys = new Keys(() => follower.prefix());
  const directory = new DirectoryStore(redis, keys, 400 * DAY_SECONDS);
  const agentDeps: AgentRouteDeps = {
    agents: new AgentQueries(redis, keys),
    directory,
    systemId: config.SYSTEM_ID,
    maxQueryDays: config.MAX_QUERY_DAYS,
    maxIds: config.MAX_IDS_PER_REQUEST,
    statusGroupLinking: config.STATUS_GROUP_LINKING,
  };
  const onlineDeps: OnlineRouteDeps = {
    agents: agentDeps.agents,
    online: new OnlineQueries(redis, keys),
    directory,
    zone: config.TIMEZONE,
    systemId: config.SYSTEM_ID,
    maxIds: config.MAX_IDS_PER_REQUEST,
    now: options.now ?? Date.now,
  };
  const app = await buildApp({
    health,
    registry,
    logger,
    version: VERSION,
    limits: {
      connectionTimeoutMs: config.READER_CONNECTION_TIMEOUT,
      requestTimeoutMs: config.READER_REQUEST_TIMEOUT,
      keepAliveTimeoutMs: config.READER_KEEP_ALIVE_TIMEOUT,
      bodyLimitBytes: config.READER_BODY_LIMIT,
      maxParamLength: config.READER_MAX_PARAM_LENGTH,
    },
    opsRoutes: config.OPS_PORT === undefined,
    auth: {
      mode: config.READER_AUTH,
      apiKeys: config.READER_API_KEYS,
      basicUsers: config.READER_BASIC_USERS,
    },
    routes: [
      personnelRoute({ directory, systemId: config.SYSTEM_ID }),
      serviceGroupDataRoute({
        cache: new AnswerCache(config.READER_CACHE_MB * 1024 * 1024),
        historic: new HistoricQueries(redis, keys),
        directory,
        systemId: config.SYSTEM_ID,
        maxQueryDays: config.MAX_QUERY_DAYS,
        maxIds: config.MAX_IDS_PER_REQUEST,
      }),
      agentStatusDataRoute(agentDeps),
      agentLoginDataRoute(agentDeps),
      agentCallsDataRoute(agentDeps),
      agentChatsWorkTimeRoute(agentDeps),
      agentStatusRoute(onlineDeps),
      groupsOnlineLoadRoute(onlineDeps),
    ],
  });
  await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  const address = app.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : config.HTTP_PORT;
  // the probes and metrics on a port of their own, when OPS_PORT asks for one
  const ops: OpsServer | undefined =
    config.OPS_PORT === undefined
      ? undefined
      : await startOpsServer({ host: config.OPS_HOST, port: config.OPS_PORT, health, registry });
  logger.info({ port, opsPort: ops?.port, auth: config.READER_AUTH }, 'reader listening');
  return {
    app,
    port,
    opsPort: ops?.port,
    async stop() {
      await app.close();
      await ops?.close();
      await follower.stop();
      connection.close();
    },
  };
}
