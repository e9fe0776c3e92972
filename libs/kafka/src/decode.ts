import {
  type EpochMs,
  type Stream,
  streamOf,
  validateEvent,
  type WfmEvent,
} from '@wfm-stream/schemas';

export type DecodeFailureKind =
  | 'empty'
  | 'too-large'
  | 'not-json'
  | 'not-an-object'
  | 'unknown-type'
  | 'invalid'
  | 'wrong-topic'
  | 'avro';

export type Decoded =
  | { readonly ok: true; readonly event: WfmEvent; readonly atMs: EpochMs }
  | {
      readonly ok: false;
      readonly kind: DecodeFailureKind;
      readonly reason: string;
      /**
       * True when the message may well be valid but cannot be read now (the Schema
       * Registry is unreachable): the consumer waits and tries again, it never
       * dead-letters such a message.
       */
      readonly retriable?: true;
    };

/** Decodes Confluent wire-format messages (magic byte 0, schema id, Avro body). */
export interface AvroDecoder {
  decode(value: Buffer): Promise<unknown>;
}

/** Thrown by an AvroDecoder when the registry cannot answer now (down, timing out, refusing). */
export class RegistryUnavailableError extends Error {
  override readonly name = 'RegistryUnavailableError';
}

/** True for a message in the Confluent wire format: magic byte 0 and a 4-byte schema id. */
export function isWireFormat(value: Buffer): boolean {
  return value.length > 5 && value[0] === 0;
}

/**
 * Turns one Kafka message value into a validated event, detecting per message whether it
 * is plain JSON or Avro in the Confluent wire format. Never throws: every failure is a
 * value with a reason a person can act on.
 */
export interface DecoderLimits {
  /** Larger messages are refused before they are parsed (`EVENT_MAX_BYTES`). */
  readonly maxBytes: number;
}

/** `EVENT_MAX_BYTES`'s default: an event is a few hundred bytes; the largest valid one (an agent in 1,000 groups) about 200 KB. */
export const DEFAULT_EVENT_MAX_BYTES = 256 * 1024;

export class EventDecoder {
  constructor(
    private readonly avro?: AvroDecoder,
    private readonly limits: DecoderLimits = { maxBytes: DEFAULT_EVENT_MAX_BYTES },
  ) {}

  async decode(value: Buffer | null, expected: Stream): Promise<Decoded> {
    const now = this.decodeNow(value, expected);
    if (now !== undefined) return now;
    // decodeNow leaves only Avro messages with a registry to decode
    const avro = this.avro;
    if (value === null || avro === undefined) return unexpected(new Error('nothing to decode'));
    try {
      return await decodeAvro(avro, value, expected);
    } catch (error) {
      return unexpected(error);
    }
  }

  /**
   * The same answer as `decode`, without a promise, for every message that needs no
   * Schema Registry; undefined for an Avro message when a registry is configured (call
   * `decode` for it). The consumer decodes each message of a batch this way first.
   */
  decodeNow(value: Buffer | null, expected: Stream): Decoded | undefined {
    try {
      if (value !== null && value.length > this.limits.maxBytes) {
        return {
          ok: false,
          kind: 'too-large',
          reason: `the message has ${value.length} bytes; at most ${this.limits.maxBytes} are read (EVENT_MAX_BYTES)`,
        };
      }
      if (value === null || value.length === 0) {
        return {
          ok: false,
          kind: 'empty',
          reason:
            'the message has no value (a compaction tombstone?); entities are deactivated with status INACTIVE',
        };
      }
      if (isWireFormat(value)) {
        if (this.avro !== undefined) return undefined;
        return {
          ok: false,
          kind: 'avro',
          reason:
            'an Avro (Confluent wire format) message, but no SCHEMA_REGISTRY_URL is configured',
        };
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(value.toString('utf8'));
      } catch {
        return { ok: false, kind: 'not-json', reason: 'the message is neither JSON nor Avro' };
      }
      return validated(parsed, expected);
    } catch (error) {
      return unexpected(error);
    }
  }
}

async function decodeAvro(avro: AvroDecoder, value: Buffer, expected: Stream): Promise<Decoded> {
  let parsed: unknown;
  try {
    parsed = await avro.decode(value);
  } catch (error) {
    if (error instanceof RegistryUnavailableError)
      return { ok: false, kind: 'avro', reason: error.message, retriable: true };
    return { ok: false, kind: 'avro', reason: `cannot decode Avro: ${String(error)}` };
  }
  return validated(parsed, expected);
}

/** A bug of ours or a library's must not stop the partition: the message is refused. */
function unexpected(error: unknown): Decoded {
  return {
    ok: false,
    kind: 'invalid',
    reason: `could not be decoded: ${error instanceof Error ? error.name : 'error'}: ${(error instanceof Error ? error.message : String(error)).slice(0, 300)}`,
  };
}

function validated(parsed: unknown, expected: Stream): Decoded {
  const validation = validateEvent(parsed);
  if (!validation.ok) return validation;
  const stream = streamOf(validation.event);
  if (stream !== expected) {
    return {
      ok: false,
      kind: 'wrong-topic',
      reason: `${validation.event.type} belongs on the ${stream} topic, not the ${expected} topic`,
    };
  }
  return validation;
}
