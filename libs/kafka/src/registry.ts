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

import { type AvroDecoder, RegistryUnavailableError } from './decode.js';
import type { EventEncoder } from './publisher.js';

export interface RegistrySettings {
  readonly SCHEMA_REGISTRY_URL: string;
  readonly SCHEMA_REGISTRY_USERNAME?: string | undefined;
  readonly SCHEMA_REGISTRY_PASSWORD?: string | undefined;
}

/** Network failures as the registry client reports them (a status-400 answer naming the error). */
const NETWORK_ERROR =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|socket hang up|timed? ?out/i;

/**
 * True when a registry error says "not now" rather than "never": unreachable, timing
 * out, overloaded (429, 5xx) or refusing our credentials (401, 403: fixed by an
 * operator, not by the data). A 404 (the registry does not know the schema id) and a
 * body that does not decode are permanent: those messages are dead-lettered.
 */
export function isRegistryUnavailable(error: unknown): boolean {
  if (error instanceof RegistryUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : '';
  if (typeof status === 'number') {
    if (status === 400) return NETWORK_ERROR.test(message);
    return status === 401 || status === 403 || status === 408 || status === 429 || status >= 500;
  }
  return NETWORK_ERROR.test(message);
}

/** How long one schema look-up may take before the registry counts as unavailable. */
const LOOKUP_TIMEOUT_MS = 10_000;

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

  /** Throws RegistryUnavailableError when the registry cannot answer now; other errors are permanent. */
  async decode(value: Buffer): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    let record: unknown;
    try {
      record = await Promise.race([
        this.registry.decode(value) as Promise<unknown>,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(
              new RegistryUnavailableError(
                `the Schema Registry did not answer within ${LOOKUP_TIMEOUT_MS / 1000} s`,
              ),
            );
          }, LOOKUP_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      if (isRegistryUnavailable(error))
        throw new RegistryUnavailableError(
          `the Schema Registry is unavailable: ${error instanceof Error ? error.message : String(error)}`,
        );
      throw error;
    } finally {
      clearTimeout(timer);
    }
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
