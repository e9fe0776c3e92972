import { STREAM_TOPICS, type StreamTopic, TODAY_STEPS } from '@wfm-stream/dashboard-ui';

import type { ReaderApp } from '../app.js';
import { ApiError, badRequest } from '../errors.js';
import { idListParam, parseQuery } from '../params.js';
import { ERROR_SCHEMA } from '../schemas.js';
import { serialisedBy } from '../serializer.js';
import type { LiveHub } from './hub.js';
import { SseConnection } from './sse.js';

export interface StreamRouteOptions {
  readonly hub: LiveHub;
  readonly version: string;
  readonly timeZone: string;
  readonly heartbeatMs: number;
  readonly maxClients: number;
  readonly maxIds: number;
  /** A client with more than this much unsent is dropped (it reconnects from a snapshot). */
  readonly maxBufferBytes?: number;
  readonly now?: () => number;
}

export const STREAM_PATH = '/online/stream';

const TOPICS: ReadonlySet<string> = new Set(STREAM_TOPICS);
const DEFAULT_TOPICS: readonly StreamTopic[] = ['groupsOnlineLoad', 'agentStatus'];

/** Parses the stream's parameters (docs/api.md, "GET /online/stream"). */
export function parseStreamQuery(
  query: Record<string, unknown>,
  maxIds: number,
): { topics: Set<StreamTopic>; groupIds?: string[] | undefined; step: number } {
  const specs = {
    topics: idListParam('topics', 'Topics to receive.', STREAM_TOPICS.length),
    groupId: idListParam('groupId', 'Groups of groupsOnlineLoad.', maxIds),
  };
  const optional = (name: 'topics' | 'groupId'): string[] | undefined => {
    const raw = query[name];
    if (raw === undefined || raw === '') return undefined;
    return parseQuery({ [name]: raw }, { [name]: specs[name] })[name];
  };
  const topics = optional('topics') ?? DEFAULT_TOPICS;
  for (const topic of topics) {
    if (!TOPICS.has(topic))
      throw badRequest(
        'topics',
        'unknown topic',
        `topics may list ${STREAM_TOPICS.join(', ')}; got "${topic}".`,
      );
  }
  const stepText = query.step;
  let step: number = TODAY_STEPS[0];
  if (stepText !== undefined) {
    step = Number(Array.isArray(stepText) ? NaN : stepText);
    if (!(TODAY_STEPS as readonly number[]).includes(step))
      throw badRequest(
        'step',
        'step is not a valid interval length',
        `The stream's step must be one of ${TODAY_STEPS.join(', ')} (ms).`,
      );
  }
  return { topics: new Set(topics as StreamTopic[]), groupIds: optional('groupId'), step };
}

/**
 * GET /online/stream: Server-Sent Events of the live topics (docs/api.md). The same
 * credentials as every endpoint, or the dashboard's session cookie.
 */
export function registerStreamRoute(app: ReaderApp, options: StreamRouteOptions): void {
  const now = options.now ?? Date.now;
  const connections = new Set<SseConnection>();
  app.addHook('preClose', async () => {
    for (const connection of connections) connection.close();
    return Promise.resolve();
  });
  // the 200 is the hijacked event stream; the errors go through the error schema
  const errors = serialisedBy(
    [400, 401, 500, 503].map((status) => ({
      status,
      description: '',
      schema: ERROR_SCHEMA,
      serialised: true,
    })),
  );
  app.get(STREAM_PATH, errors, async (request, reply) => {
    const parsed = parseStreamQuery(request.query as Record<string, unknown>, options.maxIds);
    if (options.hub.clientCount >= options.maxClients)
      throw new ApiError(
        503,
        '',
        'too many clients',
        'The live stream has as many clients as it takes (LIVE_MAX_CLIENTS); try again later or poll the online endpoints.',
      );
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    response.write('retry: 1000\n\n');
    const connection = new SseConnection(response, options.maxBufferBytes ?? 4 * 1024 * 1024);
    connections.add(connection);
    connection.send('hello', {
      serverTime: now(),
      timeZone: options.timeZone,
      version: options.version,
      topics: [...parsed.topics],
      heartbeatMs: options.heartbeatMs,
    });
    const client = {
      ...parsed,
      send: (event: string, data: unknown) => {
        connection.send(event, data);
        if (!connection.isOpen) options.hub.unsubscribe(client);
      },
    };
    options.hub.subscribe(client);
    const heartbeat = setInterval(() => {
      connection.send('heartbeat', { serverTime: now(), healthy: options.hub.isHealthy });
    }, options.heartbeatMs);
    response.on('close', () => {
      clearInterval(heartbeat);
      connections.delete(connection);
      options.hub.unsubscribe(client);
    });
    return reply;
  });
}
