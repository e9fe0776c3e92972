import {
  COMMON_FIELDS,
  definitionOf,
  EVENT_DEFINITIONS,
  type EventDefinition,
  type WfmEvent,
} from './events.js';
import { type AvroType, type FieldSpec } from './fields.js';

export const AVRO_NAMESPACE = 'io.wfmstream.events';

export interface AvroField {
  readonly name: string;
  readonly type: AvroType;
  readonly doc: string;
  readonly default?: null;
}

export interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace: string;
  readonly doc: string;
  readonly fields: readonly AvroField[];
}

function avroField(name: string, spec: FieldSpec): AvroField {
  return spec.optional
    ? { name, type: spec.avro, doc: spec.doc, default: null }
    : { name, type: spec.avro, doc: spec.doc };
}

/** The Avro record of an event type, derived from the same field specs as its validation. */
export function avroSchemaOf(definition: EventDefinition): AvroRecordSchema {
  return {
    type: 'record',
    name: definition.recordName,
    namespace: AVRO_NAMESPACE,
    doc: definition.doc,
    fields: [
      avroField('eventId', COMMON_FIELDS.eventId),
      { name: 'type', type: 'string', doc: `Always "${definition.type}".` },
      avroField('occurredAt', COMMON_FIELDS.occurredAt),
      ...Object.entries(definition.fields).map(([name, spec]) => avroField(name, spec)),
    ],
  };
}

/** Every event's Avro schema, keyed by event type. */
export function allAvroSchemas(): ReadonlyMap<string, AvroRecordSchema> {
  return new Map(
    EVENT_DEFINITIONS.map((d): [string, AvroRecordSchema] => [d.type, avroSchemaOf(d)]),
  );
}

/** The Avro record of a (valid) event: every field present, absent optional ones as `null`. */
export function toAvroRecord(event: WfmEvent): Record<string, unknown> {
  const definition = definitionOf(event.type);
  if (definition === undefined) throw new TypeError(`unknown event type ${event.type}`);
  const values = event as unknown as Record<string, unknown>;
  const record: Record<string, unknown> = {
    eventId: event.eventId,
    type: event.type,
    occurredAt: event.occurredAt,
  };
  for (const name of Object.keys(definition.fields)) record[name] = values[name] ?? null;
  return record;
}

/** The Avro full name of an event's record, as subjects name it. */
export function avroFullName(definition: EventDefinition): string {
  return `${AVRO_NAMESPACE}.${definition.recordName}`;
}

/**
 * Avro decodes absent optional fields as `null`; the JSON contract leaves them out.
 * This turns a decoded record back into the JSON shape before validation.
 */
export function fromAvroRecord(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) if (value !== null) out[name] = value;
  return out;
}
