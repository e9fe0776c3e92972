import type { AuthMode } from './auth.js';
import type { RouteDefinition } from './route.js';

const errorSchema = {
  type: 'object',
  required: ['field', 'message', 'description'],
  properties: {
    field: { type: 'string', description: 'The request parameter at fault; empty when none is.' },
    message: { type: 'string', description: 'Short error text.' },
    description: { type: 'string', description: 'What went wrong and what to do about it.' },
  },
} as const;

function errorResponse(description: string): object {
  return {
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
}

/** The OpenAPI 3.1 description of the API, generated from the routes the app serves. */
/** /online/stream in OpenAPI terms: a text/event-stream answer (docs/api.md has the events). */
export const STREAM_OPERATION = {
  get: {
    operationId: 'online_stream',
    summary: 'Live figures pushed as Server-Sent Events',
    description:
      "A text/event-stream of the online figures: `hello`, then per topic a snapshot and deltas (`upsert` rows, `remove` keys) within a second of the events that changed them, and a `heartbeat` every LIVE_HEARTBEAT_INTERVAL. Topics: groupsOnlineLoad and agentStatus (rows exactly as the online endpoints answer), and the dashboard's queues, agents, today, exports, pipeline. Also accepts the dashboard's session cookie. docs/api.md describes every event.",
    tags: ['online'],
    parameters: [
      {
        name: 'topics',
        in: 'query',
        required: false,
        description:
          'Comma-separated topics; default groupsOnlineLoad,agentStatus. One of groupsOnlineLoad, agentStatus, queues, agents, today, exports, pipeline.',
        schema: { type: 'string' },
        example: 'groupsOnlineLoad',
      },
      {
        name: 'groupId',
        in: 'query',
        required: false,
        description:
          'groupsOnlineLoad only for these groups (comma-separated); default every group of the directory.',
        schema: { type: 'string' },
      },
      {
        name: 'step',
        in: 'query',
        required: false,
        description: 'The today topic: interval length, 900000, 1800000 or 3600000 ms.',
        schema: { type: 'integer', enum: [900000, 1800000, 3600000], default: 900000 },
      },
    ],
    responses: {
      200: {
        description: 'The event stream.',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      },
      400: errorResponse('A parameter is wrong; `field` names it.'),
      401: errorResponse('No valid credentials.'),
      503: errorResponse('The stream has LIVE_MAX_CLIENTS clients already.'),
    },
  },
} as const;

export function openApiDocument(
  routes: readonly RouteDefinition[],
  auth: AuthMode,
  version: string,
  extraPaths: Record<string, object> = {},
): object {
  const securitySchemes =
    auth === 'api-key'
      ? { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } }
      : auth === 'basic'
        ? { basic: { type: 'http', scheme: 'basic' } }
        : {};
  const security = auth === 'none' ? [] : [{ [auth === 'api-key' ? 'apiKey' : 'basic']: [] }];
  const paths: Record<string, object> = {};
  for (const route of routes) {
    paths[route.url] = {
      get: {
        operationId: route.url.split('/').filter(Boolean).join('_'),
        summary: route.summary,
        description: route.description,
        tags: [route.tag],
        parameters: route.params.map((p) => ({
          name: p.name,
          in: 'query',
          required: p.required,
          description: p.description,
          schema: p.schema,
          ...(p.example === undefined ? {} : { example: p.example }),
        })),
        responses: {
          200: {
            description: 'The figures.',
            content: { 'application/json': { schema: route.response } },
          },
          400: errorResponse('A parameter is missing or wrong; `field` names it.'),
          ...(auth === 'none' ? {} : { 401: errorResponse('No valid credentials.') }),
          404: errorResponse('Nothing matches the request.'),
          500: errorResponse('The system failed; the request can be retried.'),
          503: {
            ...errorResponse(
              'The store could not serve within READER_REDIS_RETRY_BUDGET (unreachable, failing over); retry after Retry-After seconds.',
            ),
            headers: {
              'Retry-After': {
                description: 'Seconds to wait before retrying.',
                schema: { type: 'integer', minimum: 1 },
              },
            },
          },
        },
      },
    };
  }
  Object.assign(paths, extraPaths);
  return {
    openapi: '3.1.0',
    info: {
      title: 'wfm-stream: ARGUS WFM CC integration API',
      version,
      description:
        'Historic and online contact-center figures for a workforce-management system. Every figure is defined in docs/api.md. Times are written in the offset of the request startDate.',
    },
    paths,
    components: { schemas: { Error: errorSchema }, securitySchemes },
    security,
  };
}
