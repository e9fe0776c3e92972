import { dashboardAssetsDir } from '@wfm-stream/dashboard-ui';
import { type Logger, type OpsServer, startOpsServer } from '@wfm-stream/observability';
import {
  AgentQueries,
  type ChangeSubscription,
  DirectoryStore,
  GapRecords,
  GenerationFollower,
  GenerationPointer,
  HistoricQueries,
  Keys,
  OnlineQueries,
  startServiceBase,
  startStatusReporter,
  StatusBoard,
  subscribeToChanges,
} from '@wfm-stream/store';

import { AnswerCache } from './answer-cache.js';
import { buildApp, type ReaderApp } from './app.js';
import { createAuthenticator, credentialsOf } from './auth.js';
import { type ReaderConfig, serverLimitsOf } from './config.js';
import { isPublicDashboardPath, registerDashboardRoutes } from './dashboard-routes.js';
import { type LostSpan, lostSpans } from './incomplete.js';
import { LiveHub } from './live/hub.js';
import { LiveSource } from './live/live-source.js';
import { registerStreamRoute, STREAM_PATH } from './live/stream-route.js';
import { streamOperation } from './openapi.js';
import type { AgentRouteDeps } from './routes/agent-deps.js';
import { apiRoutes } from './routes/api-routes.js';
import type { OnlineRouteDeps } from './routes/online.js';
import { serviceGroupDataRoute } from './routes/service-group-data.js';
import { deriveSessionSecret, SessionTokens } from './session.js';
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
  /** Where the built dashboard is (default: the dashboard-ui package's build). */
  readonly dashboardDir?: string;
}

export async function startReader(
  config: ReaderConfig,
  logger: Logger,
  options: ReaderOptions = {},
): Promise<RunningReader> {
  const { health, registry, connection, redis } = startServiceBase('reader', config, logger);

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
  const now = options.now ?? Date.now;
  const auth = {
    mode: config.READER_AUTH,
    apiKeys: config.READER_API_KEYS,
    basicUsers: config.READER_BASIC_USERS,
  };
  const credentials = credentialsOf(auth);
  // sessions of the dashboard: signed cookies any replica can check (session.ts)
  const sessions = new SessionTokens(
    config.READER_SESSION_SECRET === undefined
      ? deriveSessionSecret(credentials)
      : Buffer.from(config.READER_SESSION_SECRET),
    auth.mode === 'none' ? [''] : credentials,
    config.READER_SESSION_TTL,
  );
  const authenticator = createAuthenticator(auth, sessions, now);
  const serviceGroupData = serviceGroupDataRoute({
    cache: new AnswerCache(config.READER_CACHE_MB * 1024 * 1024),
    historic: new HistoricQueries(redis, keys),
    directory,
    systemId: config.SYSTEM_ID,
    maxQueryDays: config.MAX_QUERY_DAYS,
    maxIds: config.MAX_IDS_PER_REQUEST,
  });
  const liveSource = new LiveSource({
    agents: onlineDeps.agents,
    online: onlineDeps.online,
    directory,
    board: new StatusBoard(redis, config.REDIS_KEY_PREFIX),
    serviceGroupData,
    zone: config.TIMEZONE,
    systemId: config.SYSTEM_ID,
    maxIds: config.MAX_IDS_PER_REQUEST,
    now,
  });
  const hub = new LiveHub({
    source: liveSource,
    serviceLevel: {
      targetSeconds: (groupId) =>
        config.SERVICE_LEVEL_SECONDS_BY_GROUP.get(groupId) ?? config.SERVICE_LEVEL_SECONDS,
      goalPercent: (groupId) =>
        config.SERVICE_LEVEL_GOAL_PERCENT_BY_GROUP.get(groupId) ??
        config.SERVICE_LEVEL_GOAL_PERCENT,
    },
    reconcileMs: config.LIVE_RECONCILE_INTERVAL,
    // a failover delays the stream's deltas rather than failing them (docs/dashboard.md)
    retryBudgetMs: config.READER_REDIS_RETRY_BUDGET,
    logger,
    now,
  });
  // what the topics lost, read at most every 10 s (docs/api.md, "Incomplete data")
  const gaps = new GapRecords(redis, config.REDIS_KEY_PREFIX, 400 * 86_400);
  let spans: { atMs: number; value: Promise<LostSpan[]> } | undefined;
  const currentLostSpans = (): Promise<LostSpan[]> => {
    const at = Date.now();
    if (spans === undefined || at - spans.atMs > 10_000) {
      spans = { atMs: at, value: gaps.list().then(lostSpans, () => []) };
    }
    return spans.value;
  };
  const app = await buildApp({
    health,
    registry,
    logger,
    lostSpans: currentLostSpans,
    version: VERSION,
    limits: serverLimitsOf(config),
    opsRoutes: config.OPS_PORT === undefined,
    auth,
    authenticator,
    isPublic: config.DASHBOARD ? isPublicDashboardPath : undefined,
    openApiPaths: config.LIVE_MAX_CLIENTS > 0 ? { [STREAM_PATH]: streamOperation(auth.mode) } : {},
    register: [
      ...(config.LIVE_MAX_CLIENTS > 0
        ? [
            (server: ReaderApp) => {
              registerStreamRoute(server, {
                hub,
                version: VERSION,
                timeZone: config.TIMEZONE.name,
                heartbeatMs: config.LIVE_HEARTBEAT_INTERVAL,
                maxClients: config.LIVE_MAX_CLIENTS,
                maxIds: config.MAX_IDS_PER_REQUEST,
                now,
              });
            },
          ]
        : []),
      ...(config.DASHBOARD
        ? [
            (server: ReaderApp) => {
              registerDashboardRoutes(server, {
                assetsDir: options.dashboardDir ?? dashboardAssetsDir(),
                mode: auth.mode,
                authenticator,
                sessions,
                now,
              });
            },
          ]
        : []),
    ],
    routes: apiRoutes({
      personnel: { directory, systemId: config.SYSTEM_ID },
      serviceGroupData,
      agents: agentDeps,
      online: onlineDeps,
      live: liveSource,
      now,
    }),
  });
  // change notices from the aggregators drive the live stream (docs/dashboard.md)
  let changes: ChangeSubscription | undefined;
  if (config.LIVE_MAX_CLIENTS > 0) {
    hub.start();
    changes = await subscribeToChanges(
      redis,
      config.REDIS_KEY_PREFIX,
      (stream) => {
        hub.changed(stream);
      },
      logger,
    );
  }
  const status = startStatusReporter({
    redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    service: 'reader',
    health,
    logger,
    collectors: [() => Promise.resolve({ status: { live: { clients: hub.clientCount } } })],
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
      await hub.stop();
      await changes?.stop();
      await status.stop();
      await ops?.close();
      await follower.stop();
      connection.close();
    },
  };
}
