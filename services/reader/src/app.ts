import {
  type IncomingMessage,
  maxHeaderSize,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Socket } from 'node:net';

import type { Health, Logger } from '@wfm-stream/observability';
import { answerOpsRoute } from '@wfm-stream/observability';
import Fastify, { type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import type { Registry } from 'prom-client';

import {
  type Authenticator,
  type AuthSettings,
  createAuthenticator,
  PUBLIC_PATHS,
} from './auth.js';
import { ApiError, internalError, redisUnavailable, requestError } from './errors.js';
import { incompleteHeader, type LostSpan } from './incomplete.js';
import { openApiDocument, opsStatuses, routeStatuses } from './openapi.js';
import { GZIP_THRESHOLD_BYTES, PreparedBody } from './prepared-body.js';
import { withRetryBudget } from './redis-retry.js';
import { RequestMetrics } from './request-metrics.js';
import type { RouteDefinition } from './route.js';
import { serialisedBy, serializerFor } from './serializer.js';

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

/**
 * What a request Node's HTTP parser refused gets (docs/api.md, "Errors"): 408 for one
 * that did not arrive within the request timeout, 431 for headers (with the request line)
 * beyond Node's limit, 400 for anything it could not parse.
 */
export function clientErrorAnswer(code: string | undefined): ApiError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return requestError(
      408,
      'request timeout',
      'The request did not arrive in time; the connection is closed.',
    );
  if (code === 'HPE_HEADER_OVERFLOW')
    return requestError(
      431,
      'request headers too large',
      `The request line and headers together may take at most ${maxHeaderSize} bytes; shorten the URL or the headers.`,
    );
  return requestError(
    400,
    'malformed request',
    'The request is not valid HTTP/1.1; the connection is closed.',
  );
}

/**
 * Node's `clientError`: the answer of clientErrorAnswer, written on the socket (there is
 * no request to reply to), and the connection closed.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // as Node's own handler: nothing is written over an answer already under way
  const underWay = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && underWay?.headersSent !== true) {
    const answer = clientErrorAnswer(error.code);
    const body = JSON.stringify(answer.body());
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

/** Methods a path may have besides GET and HEAD, for the Allow header of a 405. */
const OTHER_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH'] as const;

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
    clientErrorHandler: answerClientError,
    // a URL the router cannot decode, or a route parameter beyond READER_MAX_PARAM_LENGTH
    frameworkErrors: (error, _request, reply) => {
      const answer =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? requestError(
              414,
              'URL too long',
              `A path segment of this URL is longer than the ${limits.maxParamLength} characters this API accepts.`,
            )
          : requestError(
              400,
              'malformed URL',
              'The path of the URL is not valid percent-encoded UTF-8.',
            );
      void (reply as FastifyReply).status(answer.status).send(answer.body());
    },
    // headers within the request timeout too, checked often enough to hold it
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, limits.requestTimeoutMs / 4)),
    },
  });

  app.setErrorHandler((error, request, reply) => {
    // a body refused as too large is not read afterwards either: the connection closes
    if ((error as { statusCode?: unknown }).statusCode === 413)
      void reply.header('connection', 'close');
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
        message:
          status === 413
            ? 'request too large'
            : status === 415
              ? 'unsupported media type'
              : 'bad request',
        description:
          status === 413
            ? `The request body is larger than the ${request.routeOptions.bodyLimit} bytes this endpoint accepts.`
            : 'The request could not be read; the API takes GET requests without a body.',
      });
      return;
    }
    request.log.error({ err: error, url: request.url }, 'request failed');
    const failure = internalError();
    void reply.status(failure.status).send(failure.body());
  });

  // the methods of each path, for the Allow header of a 405 (routes are all registered below)
  const methodsOf = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = methodsOf.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsOf.set(route.url, methods);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const methods = methodsOf.get(path);
    if (methods !== undefined && !methods.has(request.method)) {
      const allow = [
        ...(methods.has('GET') ? ['GET', 'HEAD'] : []),
        ...OTHER_METHODS.filter((m) => methods.has(m)),
        'OPTIONS',
      ].join(', ');
      void reply.header('allow', allow);
      if (request.method === 'OPTIONS') return reply.status(204).send();
      return reply.status(405).send({
        field: '',
        message: 'method not allowed',
        description: `${path} answers ${allow}, not ${request.method}.`,
      });
    }
    return reply.status(404).send({
      field: '',
      message: 'not found',
      description: `There is no endpoint ${request.method} ${path}; see /openapi.json.`,
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

  // GET and HEAD carry no body here: one is refused before anything reads it
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return Promise.resolve();
    const length = request.headers['content-length'];
    if (request.headers['transfer-encoding'] === undefined && (length ?? '0') === '0')
      return Promise.resolve();
    // the body is not read, so the connection cannot carry another request
    void reply.header('connection', 'close');
    if (Number(length) > limits.bodyLimitBytes) {
      throw requestError(
        413,
        'request too large',
        `The request body is larger than the ${limits.bodyLimitBytes} bytes this API accepts.`,
      );
    }
    throw requestError(
      400,
      'unexpected body',
      'GET and HEAD requests to this API carry no body; give the parameters in the query string.',
    );
  });

  const authenticator = options.authenticator ?? createAuthenticator(options.auth);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '/';
    if (!PUBLIC_PATHS.has(path) && options.isPublic?.(path) !== true)
      authenticator.check(request.headers);
    return Promise.resolve();
  });

  // every route serialises each status through its schema (schemas.ts, openapi.ts)
  const openapiStatuses = opsStatuses('/openapi.json');
  const openapi = serializerFor(openapiStatuses[0]?.schema ?? {})(
    openApiDocument(options.routes, options.auth.mode, options.version, {
      extraPaths: options.openApiPaths,
      opsRoutes: options.opsRoutes !== false,
    }),
  );
  app.get('/openapi.json', serialisedBy(openapiStatuses), async (_request, reply) =>
    reply.type('application/json').send(openapi),
  );

  for (const route of options.routes) {
    const serialize = serializerFor(route.response);
    app.get(
      route.url,
      serialisedBy(routeStatuses(route, options.auth.mode)),
      async (request, reply) => {
        const query = request.query as Record<string, unknown>;
        // Redis errors that say "not now" (a failover, a lost connection) are retried
        // within READER_REDIS_RETRY_BUDGET, then answered 503 (docs/api.md, "Errors")
        const answer = await withRetryBudget(
          async () => {
            const result = await route.handle(query, serialize);
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
        const body = result instanceof PreparedBody ? result : new PreparedBody(serialize(result));
        void reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
        if (
          body.bytes.length >= GZIP_THRESHOLD_BYTES &&
          /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')
        ) {
          return reply.header('content-encoding', 'gzip').send(body.gzip());
        }
        return reply.send(body.bytes);
      },
    );
  }

  for (const register of options.register ?? []) register(app);

  for (const path of options.opsRoutes === false ? [] : ['/healthz', '/readyz', '/metrics']) {
    app.get(path, serialisedBy(opsStatuses(path)), async (_request, reply) => {
      const answer = await answerOpsRoute(path, options.health, options.registry);
      if (answer === undefined) return reply.status(404).send();
      const json = answer.contentType.startsWith('application/json');
      return reply
        .status(answer.status)
        .type(answer.contentType)
        .send(json ? (JSON.parse(answer.body) as unknown) : answer.body);
    });
  }

  return app;
}
