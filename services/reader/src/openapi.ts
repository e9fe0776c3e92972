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
export function openApiDocument(
  routes: readonly RouteDefinition[],
  auth: AuthMode,
  version: string,
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
          500: errorResponse(
            'The system failed (a store unreachable, say); the request can be retried.',
          ),
        },
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
    },
    paths,
    components: { schemas: { Error: errorSchema }, securitySchemes },
    security,
  };
}
