import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';

import {
  COMMON_FIELDS,
  EVENT_DEFINITIONS,
  EVENT_EXAMPLES,
  eventSchemas,
  type EventType,
  type FieldSpec,
  MAX_DURATION_MS,
  validateEvent,
} from './index.js';

/** Values near every rule's edges, of every JSON type, and some no JSON has. */
const edgy: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.string({ minLength: 195, maxLength: 205 }),
  fc.string({ minLength: 495, maxLength: 505 }),
  fc.string({ maxLength: 30, unit: 'binary' }),
  fc.constantFrom('', 'x\u0000y', 'a\u007f', 'é', '\u{1f600}'.repeat(100), '\u{1f600}'.repeat(101)),
  fc.constantFrom('2020-01-01T00:00:00Z', '2020-02-30T00:00:00Z', '2100-01-01T00:00:00Z'),
  fc.constantFrom('1969-12-31T23:59:59.999Z', '2020-01-01T00:00:00+18:01', '2020-01-01T00:00'),
  fc.constantFrom('0001-01-01T00:00:00+00:01', `2020-01-01T00:00:00.${'1'.repeat(60)}Z`),
  fc.constantFrom(
    ...EVENT_DEFINITIONS.flatMap((d) => Object.values<FieldSpec>(d.fields)).flatMap((s) =>
      s.kind.type === 'enum' ? s.kind.values : [],
    ),
  ),
  fc.integer({ min: -2, max: 2 }),
  fc.constantFrom(MAX_DURATION_MS, MAX_DURATION_MS + 1, 0.5, -0, Number.NaN, Infinity, 2 ** 60),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string({ minLength: 0, maxLength: 3 }), { maxLength: 3 }),
  fc.constant(Array.from({ length: 1001 }, (_, i) => `g${i}`)),
  fc.constant(Array.from({ length: 1000 }, (_, i) => `g${i}`)),
  fc.object({ maxDepth: 1 }),
);

const SPECS: [string, FieldSpec][] = [
  ['eventId', COMMON_FIELDS.eventId],
  ['occurredAt', COMMON_FIELDS.occurredAt],
  ...EVENT_DEFINITIONS.flatMap((d) =>
    Object.entries<FieldSpec>(d.fields).map(([name, spec]): [string, FieldSpec] => [
      `${d.type}.${name}`,
      spec,
    ]),
  ),
];

describe('FieldSpec.accepts', () => {
  test.prop([fc.constantFrom(...SPECS), edgy], { numRuns: 3_000 })(
    'is true exactly for the values zod accepts, and zod outputs them unchanged',
    ([, spec], value) => {
      const zod = spec.zod.safeParse(value);
      expect(spec.accepts(value)).toBe(zod.success);
      if (zod.success) expect(zod.data).toStrictEqual(value);
    },
  );
});

describe('validateEvent without the schema', () => {
  const typeArb = fc.constantFrom(...EVENT_DEFINITIONS.map((d) => d.type));
  /** Objects with an event's fields (some valid, some not, some missing), shuffled, and extras. */
  const candidate = typeArb.chain((type) => {
    const definition = EVENT_DEFINITIONS.find((d) => d.type === type);
    const names = ['eventId', 'occurredAt', ...Object.keys(definition?.fields ?? {})];
    return fc
      .tuple(
        fc.array(fc.tuple(fc.constantFrom(...names, 'extra', 'type'), edgy), { maxLength: 12 }),
        fc.boolean(),
      )
      .map(([entries, ordered]) => {
        const value: Record<string, unknown> = { eventId: 'e1', type };
        for (const [name, v] of entries) if (name !== 'type') value[name] = v;
        if (!('occurredAt' in value)) value.occurredAt = '2024-01-08T10:00:00+02:00';
        if (!ordered) return value;
        // in the schema's order, as a producer that follows docs/events.md writes them
        const sorted: Record<string, unknown> = {};
        for (const name of ['eventId', 'type', ...names.slice(1), 'extra'])
          if (name in value) sorted[name] = value[name];
        return sorted;
      });
  });

  test.prop([candidate], { numRuns: 3_000 })(
    'gives the schema’s answer: the same event (fields and their order), or a rejection',
    (value) => {
      const zod = eventSchemas[value.type as EventType].safeParse(value);
      const result = validateEvent(value);
      expect(result.ok).toBe(zod.success);
      if (result.ok && zod.success) {
        expect(result.event).toStrictEqual(zod.data);
        expect(Object.keys(result.event)).toEqual(Object.keys(zod.data));
        expect(result.atMs).toBe(Date.parse(zod.data.occurredAt));
      }
    },
  );

  test.prop(
    [
      fc.constantFrom(...EVENT_DEFINITIONS.map((d) => d.type)),
      fc.func(fc.integer()),
      fc.option(edgy, { nil: undefined }),
    ],
    { numRuns: 1_000 },
  )(
    'gives the schema’s answer for valid events, their fields in any order',
    (type, rank, extra) => {
      const example: Record<string, unknown> = { ...EVENT_EXAMPLES[type] };
      if (extra !== undefined) example.extra = extra;
      const keys = Object.keys(example).sort((a, b) => rank(a) - rank(b));
      const value = Object.fromEntries(keys.map((k) => [k, example[k]]));
      const zod = eventSchemas[type].safeParse(value);
      const result = validateEvent(value);
      expect(result.ok).toBe(zod.success);
      if (result.ok && zod.success) {
        expect(result.event).toStrictEqual(zod.data);
        expect(Object.keys(result.event)).toEqual(Object.keys(zod.data));
      }
    },
  );
});
