import { z } from 'zod';

/**
 * One field of an event, described once: its runtime validation (zod), its Avro type
 * and its documentation. Every event schema is built from these, so the TypeScript
 * types, the validation and the Avro schemas registered in a Schema Registry cannot
 * drift apart.
 */
export interface FieldSpec<Z extends z.ZodType = z.ZodType> {
  readonly zod: Z;
  /**
   * The same rule as `zod`, as a plain predicate: true exactly for the values `zod`
   * accepts unchanged. Valid events are checked with it alone (no zod run, no copy);
   * zod explains the ones it refuses.
   */
  readonly accepts: (value: unknown) => boolean;
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
/** Longest occurredAt text, in characters. */
export const MAX_TIMESTAMP_LENGTH = 64;

function spec<Z extends z.ZodType>(
  zod: Z,
  accepts: (value: unknown) => boolean,
  avro: AvroType,
  doc: string,
  kind: FieldKind,
): FieldSpec<Z> {
  return { zod, accepts, avro, doc, optional: false, kind };
}

const MAX_ID_LENGTH = 200;
const MAX_TEXT_LENGTH = 500;
const MAX_ID_LIST_LENGTH = 1000;

/** Lengths count code points, as zod's do: a surrogate pair is one character. */
export function lengthAtMost(text: string, max: number): boolean {
  if (text.length <= max) return true;
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if ((text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count <= max;
}

function isId(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    lengthAtMost(value, MAX_ID_LENGTH) &&
    NO_CONTROL_CHARS.test(value)
  );
}

function isText(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    lengthAtMost(value, MAX_TEXT_LENGTH) &&
    NO_CONTROL_CHARS.test(value)
  );
}

function isDurationMs(value: unknown): boolean {
  return (
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    value >= 0 &&
    value <= MAX_DURATION_MS
  );
}

function isIdList(value: unknown): boolean {
  return Array.isArray(value) && value.length <= MAX_ID_LIST_LENGTH && value.every(isId);
}

function idSchema() {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_ID_LENGTH, 'must be at most 200 characters')
    .regex(NO_CONTROL_CHARS, 'must not contain control characters');
}

export const field = {
  id: (doc: string) => spec(idSchema(), isId, 'string', doc, { type: 'id' }),
  text: (doc: string) =>
    spec(
      z
        .string()
        .max(MAX_TEXT_LENGTH, 'must be at most 500 characters')
        .regex(NO_CONTROL_CHARS, 'must not contain control characters'),
      isText,
      'string',
      doc,
      { type: 'text' },
    ),
  oneOf: <const V extends readonly [string, ...string[]]>(values: V, doc: string) =>
    spec(
      z.enum(values, { error: () => `must be one of ${values.join(', ')}` }),
      (value: unknown) =>
        typeof value === 'string' && (values as readonly string[]).includes(value),
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
      isDurationMs,
      'long',
      doc,
      { type: 'durationMs' },
    ),
  idList: (doc: string) =>
    spec(
      z.array(idSchema()).max(MAX_ID_LIST_LENGTH, 'must list at most 1000 ids'),
      isIdList,
      { type: 'array', items: 'string' },
      doc,
      { type: 'idList' },
    ),
};

/** The same field, optional: absent in JSON, `null` in Avro. */
export function optional<Z extends z.ZodType>(spec: FieldSpec<Z>): FieldSpec<z.ZodOptional<Z>> {
  return {
    zod: spec.zod.optional(),
    accepts: (value: unknown) => value === undefined || spec.accepts(value),
    avro: ['null', spec.avro],
    doc: spec.doc,
    optional: true,
    kind: spec.kind,
  };
}
