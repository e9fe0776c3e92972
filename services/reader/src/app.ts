import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import type { Health, Logger } from '@wfm-stream/observability';
import { answerOpsRoute } from '@wfm-stream/observability';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Registry } from 'prom-client';

import {
  type Authenticator,
  type AuthSettings,
  createAuthenticator,
  PUBLIC_PATHS,
} from './auth.js';
import { ApiError, internalError, redisUnavailable } from './errors.js';
import { incompleteHeader, type LostSpan } from './incomplete.js';
import { openApiDocument } from './openapi.js';
import { GZIP_THRESHOLD_BYTES, PreparedBody } from './prepared-body.js';
import { withRetryBudget } from './redis-retry.js';
import { RequestMetrics } from './request-metrics.js';
import type { RouteDefinition } from './route.js';

/** How long and how much the server takes from a client (docs/security.md#what-is-bounded). */
export interface ServerLimits {
  /** Longest a connection may be idle (Fastify `connectionTimeout`). */
  readonly connectionTimeoutMs: number;
  /** Longest a client may take to send a whole request (`requestTimeout`). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open (`keepAliveTimeout`). */
  readonly keepAliveTimeoutMs: number;
  /**
   * How long a request may keep retrying Redis errors that say "not now" (a failover, a
   * connection lost) before it is answered 503 with Retry-After (READER_REDIS_RETRY_BUDGET).
   */
  readonly redisRetryBudgetMs: number;
  /** The largest request body (`bodyLimit`), bytes. */
  readonly bodyLimitBytes: number;
  /** The longest route parameter (`maxParamLength`). */
  readonly maxParamLength: number;
}

/** The defaults of the READER_* limits in config.ts. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  connectionTimeoutMs: 60_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  redisRetryBudgetMs: 5_000,
  bodyLimitBytes: 16_384,
  maxParamLength: 100,
};

export interface AppOptions {
  readonly routes: readonly RouteDefinition[];
  readonly auth: AuthSettings;
  /** Checks credentials (and session cookies); built from `auth` when absent. */
  readonly authenticator?: Authenticator;
  /** Routes that are not RouteDefinitions (the live stream, the dashboard), registered after the API's. */
  readonly register?: readonly ((app: ReaderApp) => void)[];
  /** Paths besides PUBLIC_PATHS that need no credentials (the dashboard's page and login). */
  readonly isPublic?: (path: string) => boolean;
  /** Spans of time the topics lost (cached by the caller): historic answers say so in a header. */
  readonly lostSpans?: () => Promise<readonly LostSpan[]>;
  /** Operations besides the routes' in /openapi.json (the live stream). */
  readonly openApiPaths?: Record<string, object>;
  readonly version: string;
  readonly health: Health;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly limits?: ServerLimits;
  /** Serve /healthz, /readyz and /metrics on this app (default); false when on OPS_PORT. */
  readonly opsRoutes?: boolean;
}

/**
 * The reader as a Fastify app: the API routes, the operations routes, and one error
 * handler that answers every failure in the `{field, message, description}` shape of
 * docs/api.md, "Errors". Tests build it and call `app.inject()`; the server only listens
 * and closes.
 */
/** The reader app; its logger is ours (pino), not Fastify's base type. */
export type ReaderApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

export async function buildApp(options: AppOptions): Promise<ReaderApp> {
  const limits = options.limits ?? DEFAULT_SERVER_LIMITS;
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    connectionTimeout: limits.connectionTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    bodyLimit: limits.bodyLimitBytes,
    routerOptions: { maxParamLength: limits.maxParamLength },
    // headers within the request timeout too, checked often enough to hold it
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, limits.requestTimeoutMs / 4)),
    },
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) {
      if (error.status === 503 && error.retryAfterSeconds !== undefined)
        void reply.header('retry-after', String(error.retryAfterSeconds));
      if (error.status === 401) {
        void reply.header(
          'www-authenticate',
          options.auth.mode === 'basic' ? 'Basic realm="wfm-stream"' : 'X-API-Key',
        );
      }
      void reply.status(error.status).send(error.body());
      return;
    }
    // Fastify's own refusals of a request (a body beyond READER_BODY_LIMIT, a body it
    // cannot parse) keep their 4xx status, in the API's error shape, without internals
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      void reply.status(status).send({
        field: '',
        message: status === 413 ? 'request too large' : 'bad request',
        description:
          status === 413
            ? `The request body is larger than the ${limits.bodyLimitBytes} bytes this API accepts.`
            : 'The request could not be read; the API takes GET requests without a body.',
      });
      return;
    }
    request.log.error({ err: error, url: request.url }, 'request failed');
    const failure = internalError();
    void reply.status(failure.status).send(failure.body());
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      field: '',
      message: 'not found',
      description: `There is no endpoint ${request.method} ${request.url.split('?')[0] ?? ''}; see /openapi.json.`,
    });
  });

  const requests = new RequestMetrics(options.registry);
  app.addHook('onResponse', async (request, reply) => {
    requests.record(
      { route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
    return Promise.resolve();
  });

  const authenticator = options.authenticator ?? createAuthenticator(options.auth);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '/';
    if (!PUBLIC_PATHS.has(path) && options.isPublic?.(path) !== true)
      authenticator.check(request.headers);
    return Promise.resolve();
  });

  const openapi = JSON.stringify(
    openApiDocument(options.routes, options.auth.mode, options.version, options.openApiPaths),
  );
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json').send(openapi));

  for (const route of options.routes) {
    app.get(route.url, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const answer = await withRetryBudget(
        async () => {
          const result = await route.handle(query);
          const lost =
            route.tag === 'historic' && options.lostSpans !== undefined
              ? await options.lostSpans()
              : undefined;
          return { result, lost };
        },
        limits.redisRetryBudgetMs,
        (error, attempt) => {
          request.log.warn(
            { err: error, url: request.url, attempt },
            'redis not available; retrying',
          );
        },
      );
      if (!answer.ok) {
        request.log.error({ err: answer.error, url: request.url }, 'redis not available');
        throw redisUnavailable(Math.max(1, Math.ceil(limits.redisRetryBudgetMs / 1000)));
      }
      const { result, lost } = answer.value;
      if (lost !== undefined) {
        const incomplete = incompleteHeader(query, lost);
        if (incomplete !== undefined) void reply.header('x-wfm-incomplete', incomplete);
      }
      const body =
        result instanceof PreparedBody ? result : new PreparedBody(JSON.stringify(result));
      void reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
      if (
        body.json.length >= GZIP_THRESHOLD_BYTES &&
        /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')
      ) {
        return reply.header('content-encoding', 'gzip').send(body.gzip());
      }
      return reply.send(body.json);
    });
  }

  for (const register of options.register ?? []) register(app);

  for (const path of options.opsRoutes === false ? [] : ['/healthz', '/readyz', '/metrics']) {
    app.get(path, async (_request, reply) => {
      const answer = await answerOpsRoute(path, options.health, options.registry);
      if (answer === undefined) return reply.status(404).send();
      return reply.status(answer.status).type(answer.contentType).send(answer.body);
    });
  }

  return app;
}
