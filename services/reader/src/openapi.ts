import type { AuthMode } from './auth.js';
import type { RouteDefinition } from './route.js';
import { ERROR_SCHEMA, HEALTH_SCHEMA, SHUTTING_DOWN_SCHEMA } from './schemas.js';
import { SESSION_COOKIE } from './session.js';

type Schema = Record<string, unknown>;

/** One answer of a route: its status, when it happens, and the schema of its body. */
export interface RouteStatus {
  readonly status: number;
  readonly description: string;
  readonly schema: Schema;
  /**
   * Whether the route's serialiser writes it; false for the 503 that Fastify writes by
   * itself while the reader shuts down.
   */
  readonly serialised: boolean;
  /** Headers the answer carries, for the document. */
  readonly headers?: Record<string, object>;
}

const SHUTTING_DOWN: RouteStatus = {
  status: 503,
  description:
    'The reader is shutting down (SIGTERM); another replica answers. Fastify writes this body itself, not in the error shape (docs/api.md, "Errors").',
  schema: SHUTTING_DOWN_SCHEMA,
  serialised: false,
};

const UNAUTHORIZED: RouteStatus = {
  status: 401,
  description: 'No valid credentials; `field` is empty, `message` `unauthorized`.',
  schema: ERROR_SCHEMA,
  serialised: true,
};

const FAILED: RouteStatus = {
  status: 500,
  description: 'A failure waiting does not fix (a bug, a script error); Redis unavailable is 503.',
  schema: ERROR_SCHEMA,
  serialised: true,
};

/**
 * Every status a route answers, with its body's schema: what Fastify serialises with
 * (app.ts) and what /openapi.json declares. A status is listed only where the code can
 * answer it (docs/api.md, "Errors").
 */
export function routeStatuses(route: RouteDefinition, auth: AuthMode): RouteStatus[] {
  return [
    { status: 200, description: route.summary + '.', schema: route.response, serialised: true },
    ...(route.params.length === 0
      ? []
      : [
          {
            status: 400,
            description:
              'A parameter is missing, malformed, repeated (other than an id list) or breaks a rule that its description states; `field` names it (`endDate` for the period rules). The parameters are checked in their order and the first problem is reported.',
            schema: ERROR_SCHEMA,
            serialised: true,
          },
        ]),
    ...(auth === 'none' ? [] : [UNAUTHORIZED]),
    ...(route.notFound === undefined
      ? []
      : [
          {
            status: 404,
            description: `${route.notFound} \`message\` is \`no data\`.`,
            schema: ERROR_SCHEMA,
            serialised: true,
          },
        ]),
    FAILED,
    unavailable(),
  ];
}

/** /openapi.json's own answer: an OpenAPI 3.1 document. */
const OPENAPI_SCHEMA: Schema = {
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string' },
    info: { type: 'object', additionalProperties: true },
    paths: { type: 'object', additionalProperties: true },
  },
  additionalProperties: true,
};

/** The statuses of the operations routes (/healthz, /readyz, /metrics, /openapi.json). */
export function opsStatuses(path: string): RouteStatus[] {
  const health = path === '/healthz' || path === '/readyz';
  return [
    {
      status: 200,
      description: health ? 'Each component `ok` or `failing`.' : 'The answer.',
      schema: health ? HEALTH_SCHEMA : path === '/metrics' ? { type: 'string' } : OPENAPI_SCHEMA,
      serialised: path !== '/metrics',
    },
    ...(health
      ? [
          {
            status: 503,
            description:
              path === '/healthz'
                ? 'A component is broken beyond recovery: restart the process.'
                : 'A component is not ready (Redis unreachable, say): send no traffic.',
            schema: HEALTH_SCHEMA,
            serialised: true,
          },
        ]
      : []),
  ];
}

const COMPONENTS: ReadonlyMap<Schema, string> = new Map([
  [ERROR_SCHEMA, 'Error'],
  [SHUTTING_DOWN_SCHEMA, 'ShuttingDown'],
  [HEALTH_SCHEMA, 'Health'],
]);

function schemaRef(schema: Schema): Schema {
  const name = COMPONENTS.get(schema);
  return name === undefined ? schema : { $ref: `#/components/schemas/${name}` };
}

/**
 * A route's 503: Redis could not serve within READER_REDIS_RETRY_BUDGET (the error shape,
 * with Retry-After), or the reader is shutting down (Fastify's own body).
 */
function unavailable(): RouteStatus {
  return {
    status: 503,
    description:
      'Redis could not serve within READER_REDIS_RETRY_BUDGET (unreachable, failing over): the error shape, `message` `temporarily unavailable`, retry after Retry-After seconds. Or the reader is shutting down (SIGTERM; another replica answers): Fastify writes that body itself, not in the error shape (docs/api.md, "Errors").',
    schema: { oneOf: [ERROR_SCHEMA, SHUTTING_DOWN_SCHEMA].map(schemaRef) },
    serialised: false,
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before retrying (the error shape only).',
        schema: { type: 'integer', minimum: 1 },
      },
    },
  };
}

function responses(
  statuses: readonly RouteStatus[],
  contentType: (status: RouteStatus) => string = () => 'application/json',
  headers: Record<string, object> = {},
): Record<string, object> {
  return Object.fromEntries(
    statuses.map((s) => [
      String(s.status),
      {
        description: s.description,
        ...(s.status === 200 && Object.keys(headers).length > 0 ? { headers } : {}),
        ...(s.headers === undefined ? {} : { headers: s.headers }),
        content: { [contentType(s)]: { schema: schemaRef(s.schema) } },
      },
    ]),
  );
}

const INCOMPLETE_HEADER = {
  'X-WFM-Incomplete': {
    description:
      'Present when the period overlaps records the pipeline knows it is missing: the stretches as ISO 8601 intervals, separated by `, ` (docs/api.md, "Incomplete data").',
    schema: { type: 'string' },
  },
};

/** /online/stream in OpenAPI terms: a text/event-stream answer (docs/api.md has the events). */
export function streamOperation(auth: AuthMode): object {
  return {
    get: {
      operationId: 'online_stream',
      summary: 'Live figures pushed as Server-Sent Events',
      description:
        "A text/event-stream of the online figures: `hello`, then per topic a snapshot and deltas (`upsert` rows, `remove` keys) within a second of the events that changed them, and a `heartbeat` every LIVE_HEARTBEAT_INTERVAL. Topics: groupsOnlineLoad and agentStatus (rows exactly as the online endpoints answer), and the dashboard's queues, agents, today, exports, pipeline. docs/api.md describes every event.",
      tags: ['online'],
      parameters: [
        {
          name: 'topics',
          in: 'query',
          required: false,
          description:
            'Comma-separated topics, each one of groupsOnlineLoad, agentStatus, queues, agents, today, exports, pipeline; default groupsOnlineLoad,agentStatus. An unknown topic is a 400.',
          schema: { type: 'string' },
          example: 'groupsOnlineLoad',
        },
        {
          name: 'groupId',
          in: 'query',
          required: false,
          description:
            'groupsOnlineLoad only for these groups: repeated or comma-separated, at most MAX_IDS_PER_REQUEST ids; default every group of the directory.',
          schema: { type: 'array', items: { type: 'string' } },
          style: 'form',
          explode: true,
          example: ['1', '2'],
        },
        {
          name: 'step',
          in: 'query',
          required: false,
          description: 'The today topic: interval length, 900000, 1800000 or 3600000 ms.',
          schema: { type: 'integer', enum: [900000, 1800000, 3600000], default: 900000 },
          example: 900000,
        },
      ],
      responses: responses(
        [
          {
            status: 200,
            description: 'The event stream, open until the client or the reader closes it.',
            schema: { type: 'string' },
            serialised: false,
          },
          ...streamErrors(auth),
          {
            ...SHUTTING_DOWN,
            description:
              "The stream has LIVE_MAX_CLIENTS clients already (in the error shape), or the reader is shutting down (Fastify's own body).",
            schema: { oneOf: [ERROR_SCHEMA, SHUTTING_DOWN_SCHEMA].map(schemaRef) },
          },
        ],
        (s) => (s.status === 200 ? 'text/event-stream' : 'application/json'),
      ),
    },
  };
}

/** The stream's errors besides its 503: nothing it does before the stream opens reads Redis. */
export function streamErrors(auth: AuthMode): RouteStatus[] {
  return [
    {
      status: 400,
      description: 'A parameter is wrong; `field` names it.',
      schema: ERROR_SCHEMA,
      serialised: true,
    },
    ...(auth === 'none' ? [] : [UNAUTHORIZED]),
  ];
}

const TAGS = [
  { name: 'personnel', description: 'The directory: services, groups, agents.' },
  { name: 'historic', description: 'Figures of a past period, per interval, agent or day.' },
  { name: 'online', description: 'The situation now, polled or pushed.' },
  { name: 'status', description: "The pipeline's own health and its exports." },
  { name: 'operations', description: 'Probes, metrics and this document; no credentials.' },
];

/** Every security scheme the reader may declare, by its name in the document. */
const SCHEMES = {
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'One of READER_API_KEYS.',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'The same key as `Authorization: Bearer <key>`.',
  },
  basic: {
    type: 'http',
    scheme: 'basic',
    description: 'One of the user:password pairs of READER_BASIC_USERS.',
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      "The dashboard's session cookie, set by POST /dashboard/session for a valid credential (docs/dashboard.md).",
  },
} as const;

/** Each auth mode's schemes, any one of which will do; the session in every mode but none. */
const SCHEMES_OF: Record<AuthMode, readonly (keyof typeof SCHEMES)[]> = {
  'api-key': ['apiKey', 'bearer', 'session'],
  basic: ['basic', 'session'],
  none: [],
};

function securityOf(auth: AuthMode): { schemes: Record<string, object>; security: object[] } {
  const names = SCHEMES_OF[auth];
  return {
    schemes: Object.fromEntries(names.map((name) => [name, SCHEMES[name]])),
    security: names.map((name) => ({ [name]: [] })),
  };
}

function parameter(p: RouteDefinition['params'][number]): object {
  const list = p.schema.type === 'array';
  return {
    name: p.name,
    in: 'query',
    required: p.required,
    description: p.description,
    ...(list ? { style: 'form', explode: true } : {}),
    schema: p.schema,
    ...(p.example === undefined ? {} : { example: p.example }),
  };
}

export interface OpenApiOptions {
  /** Operations besides the routes' (the live stream). */
  readonly extraPaths?: Record<string, object>;
  /** Whether /healthz, /readyz and /metrics are served on this app (not on OPS_PORT). */
  readonly opsRoutes?: boolean;
}

/** The OpenAPI 3.1 description of the API, generated from the routes the app serves. */
export function openApiDocument(
  routes: readonly RouteDefinition[],
  auth: AuthMode,
  version: string,
  options: OpenApiOptions = {},
): object {
  const { schemes, security } = securityOf(auth);
  const paths: Record<string, object> = {};
  for (const route of routes) {
    paths[route.url] = {
      get: {
        operationId: route.url.split('/').filter(Boolean).join('_'),
        summary: route.summary,
        description: route.description,
        tags: [route.tag],
        parameters: route.params.map(parameter),
        responses: responses(
          routeStatuses(route, auth),
          undefined,
          route.tag === 'historic' ? INCOMPLETE_HEADER : {},
        ),
      },
    };
  }
  Object.assign(paths, options.extraPaths ?? {});
  const ops = [
    ...(options.opsRoutes === false ? [] : ['/healthz', '/readyz', '/metrics']),
    '/openapi.json',
  ];
  const opsSummaries: Record<string, string> = {
    '/healthz': 'Liveness probe',
    '/readyz': 'Readiness probe',
    '/metrics': 'Prometheus metrics',
    '/openapi.json': 'This document',
  };
  for (const path of ops) {
    paths[path] = {
      get: {
        operationId: path.slice(1).replace('.', '_'),
        summary: opsSummaries[path],
        description: `${opsSummaries[path] ?? path}; public (docs/api.md).`,
        tags: ['operations'],
        security: [],
        responses: responses(opsStatuses(path), (s) =>
          path === '/metrics' && s.status === 200 ? 'text/plain' : 'application/json',
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'wfm-stream: ARGUS WFM CC integration API',
      version,
      description:
        'Historic and online contact-center figures for a workforce-management system. Every figure is defined in docs/api.md. Times are written in the offset of the request startDate.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'The reader that serves this document.' }],
    tags: TAGS,
    paths,
    components: {
      schemas: Object.fromEntries([...COMPONENTS].map(([schema, name]) => [name, schema])),
      ...(Object.keys(schemes).length === 0 ? {} : { securitySchemes: schemes }),
    },
    security,
  };
}
