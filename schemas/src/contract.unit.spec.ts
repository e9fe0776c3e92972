import { fc, test } from '@fast-check/vitest';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';

import {
  avroSchemaOf,
  COMMON_FIELDS,
  EVENT_DEFINITIONS,
  type EventDefinition,
  eventSchemas,
  type FieldSpec,
  fromAvroRecord,
  toAvroRecord,
  validateEvent,
  type WfmEvent,
} from './index.js';

/** Printable text without control characters, as ids allow. */
const idArb = fc
  .string({ minLength: 1, maxLength: 40, unit: 'binary' })
  // eslint-disable-next-line no-control-regex -- ids may not hold control characters
  .filter((s) => !/[\u0000-\u001f\u007f]/.test(s));

function valueArb(spec: FieldSpec): fc.Arbitrary<unknown> {
  switch (spec.kind.type) {
    case 'id':
      return idArb;
    case 'text':
      return (
        fc
          .string({ maxLength: 60, unit: 'grapheme' })
          // eslint-disable-next-line no-control-regex -- texts may not hold control characters
          .filter((s) => !/[\u0000-\u001f\u007f]/.test(s))
      );
    case 'enum':
      return fc.constantFrom(...spec.kind.values);
    case 'durationMs':
      return fc.integer({ min: 0, max: 7 * 86_400_000 });
    case 'idList':
      return fc.array(idArb, { maxLength: 5 });
    case 'timestamp':
      return fc
        .tuple(
          fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }),
          fc.integer({ min: -12, max: 14 }),
        )
        .map(([ms, hours]) => {
          const local = new Date(ms + hours * 3_600_000).toISOString().slice(0, 23);
          const sign = hours < 0 ? '-' : '+';
          return hours === 0
            ? `${local}Z`
            : `${local}${sign}${String(Math.abs(hours)).padStart(2, '0')}:00`;
        });
  }
}

/** Random valid events of one type, optional fields present or absent. */
function eventArb(definition: EventDefinition): fc.Arbitrary<WfmEvent> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {
    eventId: valueArb(COMMON_FIELDS.eventId),
    type: fc.constant(definition.type),
    occurredAt: valueArb(COMMON_FIELDS.occurredAt),
  };
  const optionalKeys: string[] = [];
  for (const [name, spec] of Object.entries(definition.fields)) {
    fields[name] = valueArb(spec);
    if (spec.optional) optionalKeys.push(name);
  }
  return fc.record(fields, {
    requiredKeys: Object.keys(fields).filter((k) => !optionalKeys.includes(k)),
  }) as fc.Arbitrary<WfmEvent>;
}

describe.each(EVENT_DEFINITIONS.map((d) => [d.type, d] as const))('%s', (_type, definition) => {
  const avroType = avro.Type.forSchema(avroSchemaOf(definition) as avro.Schema);

  test.prop([eventArb(definition)], { numRuns: 150 })(
    'random valid events validate, and round-trip JSON and Avro',
    (event) => {
      expect(validateEvent(event)).toMatchObject({ ok: true, event });
      expect(validateEvent(JSON.parse(JSON.stringify(event)))).toMatchObject({ ok: true, event });
      const decoded = avroType.fromBuffer(avroType.toBuffer(toAvroRecord(event))) as Record<
        string,
        unknown
      >;
      expect(validateEvent(fromAvroRecord(decoded))).toMatchObject({ ok: true, event });
    },
  );

  it('has an Avro record with exactly the validated fields, optional ones nullable', () => {
    const shape = eventSchemas[definition.type].shape as Record<
      string,
      { safeParse(v: unknown): { success: boolean } }
    >;
    const avroFields = avroSchemaOf(definition).fields;
    expect(avroFields.map((f) => f.name).sort()).toEqual(Object.keys(shape).sort());
    for (const f of avroFields) {
      const acceptsAbsent = shape[f.name]?.safeParse(undefined).success ?? false;
      const nullable = Array.isArray(f.type) && f.type[0] === 'null';
      expect({ field: f.name, nullable }).toEqual({ field: f.name, nullable: acceptsAbsent });
      if (nullable) expect(f.default).toBeNull();
    }
  });
});
