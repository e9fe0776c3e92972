import fastJson from 'fast-json-stringify';

import type { RouteStatus } from './openapi.js';
import type { Serializer } from './route.js';

const compiled = new WeakMap<object, Serializer>();

/**
 * The serialiser of a response schema (schemas.ts), compiled once per schema object with
 * fast-json-stringify. The app hands these to Fastify as the routes' serialisers, and the
 * routes that keep answers serialised (the answer cache) use the same function, so a
 * cached body has the bytes of a fresh one.
 */
export function serializerFor(schema: Record<string, unknown>): Serializer {
  let serialize = compiled.get(schema);
  if (serialize === undefined) {
    const build: (value: unknown) => string = fastJson(schema);
    serialize = (value) => build(value);
    compiled.set(schema, serialize);
  }
  return serialize;
}

/**
 * The Fastify route options that make a route serialise each status it answers with that
 * status's schema (`schema.response`), through serializerFor.
 */
export function serialisedBy(statuses: readonly RouteStatus[]): {
  schema: { response: Record<number, Record<string, unknown>> };
  serializerCompiler: (route: { schema: unknown }) => Serializer;
} {
  return {
    schema: {
      response: Object.fromEntries(
        statuses.filter((s) => s.serialised).map((s) => [s.status, s.schema]),
      ),
    },
    serializerCompiler: ({ schema }) => serializerFor(schema as Record<string, unknown>),
  };
}
