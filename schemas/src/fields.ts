import { z } from 'zod';

/**
 * One field of an event, described once: its runtime validation (zod), its Avro type
 * and its documentation. Every event schema is built from these, so the TypeScript
 * types, the validation and the Avro schemas registered in a Schema Registry cannot
 * drift apart.
 */
export interface FieldSpec<Z extends z.ZodType = z.ZodType> {
  readonly zod: Z;
  readonly avro: AvroType;
  readonly doc: string;
  readonly optional: boolean;
  /** What kind of value it is, for generated documentation and test data. */
  readonly kind: FieldKind;
}

export type FieldKind =
  | { readonly type: 'id' }
  | { readonly type: 'text' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'durationMs' }
  | { readonly type: 'idList' }
  | { readonly type: 'timestamp' };

export type AvroType =
  | 'null'
  | 'string'
  | 'long'
  | 'int'
  | 'boolean'
  | { readonly type: 'array'; readonly items: AvroType }
  | readonly AvroType[];

// Control characters are refused in identifiers and texts: they would be invisible in
// logs and in the WFM, and the stored state separates fields with `\0` and `\x1f`
// (docs/events.md, "Limits").
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

/** Longest duration accepted in a `…Ms` field: 7 days. */
export const MAX_DURATION_MS = 7 * 86_400_000;

function spec<Z extends z.ZodType>(
  zod: Z,
  avro: AvroType,
  doc: string,
  kind: FieldKind,
): FieldSpec<Z> {
  return { zod, avro, doc, optional: false, kind };
}

function idSchema() {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .regex(NO_CONTROL_CHARS, 'must not contain control characters');
}

export const field = {
  id: (doc: string) => spec(idSchema(), 'string', doc, { type: 'id' }),
  text: (doc: string) =>
    spec(
      z
        .string()
        .max(500, 'must be at most 500 characters')
        .regex(NO_CONTROL_CHARS, 'must not contain control characters'),
      'string',
      doc,
      { type: 'text' },
    ),
  oneOf: <const V extends readonly [string, ...string[]]>(values: V, doc: string) =>
    spec(
      z.enum(values, { error: () => `must be one of ${values.join(', ')}` }),
      'string',
      `${doc} One of: ${values.join(', ')}.`,
      { type: 'enum', values },
    ),
  durationMs: (doc: string) =>
    spec(
      z
        .number({ error: 'must be a number of milliseconds' })
        .int('must be a whole number of milliseconds')
        .min(0, 'must not be negative')
        .max(MAX_DURATION_MS, `must be at most ${MAX_DURATION_MS} ms (7 days)`),
      'long',
      doc,
      { type: 'durationMs' },
    ),
  idList: (doc: string) =>
    spec(
      z.array(idSchema()).max(1000, 'must list at most 1000 ids'),
      { type: 'array', items: 'string' },
      doc,
      { type: 'idList' },
    ),
};

/** The same field, optional: absent in JSON, `null` in Avro. */
export function optional<Z extends z.ZodType>(spec: FieldSpec<Z>): FieldSpec<z.ZodOptional<Z>> {
  return {
    zod: spec.zod.optional(),
    avro: ['null', spec.avro],
    doc: spec.doc,
    optional: true,
    kind: spec.kind,
  };
}
