import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  avroFullName,
  avroSchemaOf,
  definitionOf,
  fromAvroRecord,
  toAvroRecord,
  type TopicNames,
  topicOf,
  type WfmEvent,
} from '@wfm-stream/schemas';

import type { AvroDecoder } from './decode.js';
import type { EventEncoder } from './publisher.js';

export interface RegistrySettings {
  readonly SCHEMA_REGISTRY_URL: string;
  readonly SCHEMA_REGISTRY_USERNAME?: string | undefined;
  readonly SCHEMA_REGISTRY_PASSWORD?: string | undefined;
}

export function createSchemaRegistry(settings: RegistrySettings): SchemaRegistry {
  const { SCHEMA_REGISTRY_USERNAME: username, SCHEMA_REGISTRY_PASSWORD: password } = settings;
  return new SchemaRegistry({
    host: settings.SCHEMA_REGISTRY_URL,
    clientId: 'wfm-stream',
    retry: { retries: 3 },
    ...(username === undefined ? {} : { auth: { username, password: password ?? '' } }),
  });
}

/**
 * Subject of an event's schema: `<topic>-<record full name>` (Confluent's
 * TopicRecordNameStrategy), because each topic carries several event types.
 */
export function subjectOf(topic: string, event: Pick<WfmEvent, 'type'>): string {
  const definition = definitionOf(event.type);
  if (definition === undefined) throw new TypeError(`unknown event type ${event.type}`);
  return `${topic}-${avroFullName(definition)}`;
}

/**
 * Avro in the Confluent wire format through a Schema Registry. Producing registers each
 * event type's schema (derived from the event contract) once per subject and process;
 * decoding fetches writer schemas by id and caches them.
 */
export class AvroEventCodec implements EventEncoder, AvroDecoder {
  private readonly ids = new Map<string, Promise<number>>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly topics: TopicNames,
  ) {}

  async encode(event: WfmEvent): Promise<Buffer> {
    return this.registry.encode(await this.schemaId(event), toAvroRecord(event));
  }

  async decode(value: Buffer): Promise<unknown> {
    const record = (await this.registry.decode(value)) as unknown;
    if (typeof record !== 'object' || record === null) return record;
    return fromAvroRecord(record as Record<string, unknown>);
  }

  private schemaId(event: WfmEvent): Promise<number> {
    const subject = subjectOf(topicOf(event, this.topics), event);
    let id = this.ids.get(subject);
    if (id === undefined) {
      const definition = definitionOf(event.type);
      if (definition === undefined) throw new TypeError(`unknown event type ${event.type}`);
      id = this.registry
        .register(
          { type: SchemaType.AVRO, schema: JSON.stringify(avroSchemaOf(definition)) },
          { subject },
        )
        .then((registered) => registered.id);
      id.catch(() => this.ids.delete(subject));
      this.ids.set(subject, id);
    }
    return id;
  }
}
