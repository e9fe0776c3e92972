import type { ParamSpec } from './params.js';

/**
 * A GET endpoint described as data: its parameters (validated by their specs), the
 * schema of its answer (schemas.ts) and the errors it can answer. The app registers these
 * with their schemas, so Fastify serialises every answer with them, and /openapi.json is
 * generated from the same list.
 */
export interface RouteDefinition {
  readonly url: string;
  readonly summary: string;
  readonly description: string;
  readonly tag: 'historic' | 'online' | 'personnel' | 'status';
  readonly params: readonly ParamSpec<unknown>[];
  /** JSON Schema of the 200 body (schemas.ts). */
  readonly response: Record<string, unknown>;
  /** When the route answers 404 (`notFound`); absent when it never does. */
  readonly notFound?: string;
  /**
   * Answers the request. `serialize` is the route's compiled serialiser of its 200 schema:
   * an answer the route keeps serialised (a PreparedBody) is made with it.
   */
  readonly handle: (query: Record<string, unknown>, serialize: Serializer) => Promise<unknown>;
}

/** Writes a 200 body as JSON through the route's response schema. */
export type Serializer = (value: unknown) => string;
