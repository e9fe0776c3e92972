import type { IHeaders } from 'kafkajs';

import type { KafkaProducer } from './producer.js';

/** A message that could not be processed, with where it came from and why. */
export interface Rejected {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders | undefined;
  readonly kind: string;
  readonly reason: string;
}

/** Header names on dead-letter messages. */
export const DLQ_HEADERS = {
  reason: 'wfm.dlq.reason',
  kind: 'wfm.dlq.kind',
  topic: 'wfm.dlq.topic',
  partition: 'wfm.dlq.partition',
  offset: 'wfm.dlq.offset',
  consumerGroup: 'wfm.dlq.consumer-group',
  rejectedAt: 'wfm.dlq.rejected-at',
  /** The original value's size when the record carries only its beginning. */
  originalBytes: 'wfm.dlq.original-bytes',
  /** Set when the original headers were too large to keep. */
  headersDropped: 'wfm.dlq.headers-dropped',
} as const;

/** One dead-lettered message, as a service's status snapshot reports it. */
export interface RecentRejection {
  readonly atMs: number;
  readonly topic: string;
  readonly kind: string;
  readonly reason: string;
}

/** How many rejections a publisher remembers for its status (the latest ones). */
const RECENT_REJECTIONS = 5;
/** Longest reason kept for the status; reasons come from hostile input. */
const MAX_REASON_LENGTH = 300;

/** `DEAD_LETTER_MAX_BYTES`'s default: half of Kafka's default `max.message.bytes` (1 MB). */
export const DEFAULT_DEAD_LETTER_MAX_BYTES = 512 * 1024;
/** Longest reason kept, characters. */
export const MAX_DLQ_REASON = 1_000;
const MAX_KEY_BYTES = 1_024;
const MAX_ORIGINAL_HEADER_BYTES = 16 * 1024;

function headerBytes(headers: IHeaders | undefined): number {
  let total = 0;
  for (const [name, value] of Object.entries(headers ?? {})) {
    total += Buffer.byteLength(name);
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) total += v === undefined ? 0 : Buffer.byteLength(v);
  }
  return total;
}

function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function isTooLarge(error: unknown): boolean {
  const type = (error as { type?: unknown }).type;
  return (
    type === 'MESSAGE_TOO_LARGE' ||
    type === 'RECORD_LIST_TOO_LARGE' ||
    (error instanceof Error && /too large/i.test(error.message))
  );
}

/**
 * Writes rejected messages to the dead-letter topic: the original key and bytes, the
 * original headers, and headers saying where the message was and why it was refused.
 * Resolves only when the broker has them, so the consumer commits past a bad message
 * only once it is safe in the dead-letter topic.
 */
export class DeadLetterPublisher {
  private published = 0;
  private readonly recent: RecentRejection[] = [];

  constructor(
    private readonly producer: KafkaProducer,
    private readonly topic: string,
    private readonly consumerGroup: string,
    /** Largest record written (`DEAD_LETTER_MAX_BYTES`): it must fit the topic's `max.message.bytes`. */
    private readonly maxBytes = DEFAULT_DEAD_LETTER_MAX_BYTES,
  ) {}

  async publish(rejected: readonly Rejected[]): Promise<void> {
    if (rejected.length === 0) return;
    const now = new Date().toISOString();
    // sends of at most maxBytes: a batch of large records must not exceed the request limit
    let chunk: Rejected[] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const records = chunk.map((r) => this.record(r, now, false));
      try {
        await this.producer.send({ topic: this.topic, acks: -1, messages: records });
      } catch (error) {
        if (!isTooLarge(error)) throw error;
        // the topic takes less than we thought: where the originals are is enough
        for (const r of chunk)
          await this.producer.send({
            topic: this.topic,
            acks: -1,
            messages: [this.record(r, now, true)],
          });
      }
      chunk = [];
      size = 0;
    };
    for (const r of rejected) {
      const estimate = Math.min(this.maxBytes, (r.value?.length ?? 0) + 2_048);
      if (size + estimate > this.maxBytes) await flush();
      chunk.push(r);
      size += estimate;
    }
    await flush();
    this.published += rejected.length;
    const atMs = Date.parse(now);
    for (const r of rejected.slice(-RECENT_REJECTIONS)) {
      this.recent.push({
        atMs,
        topic: r.topic,
        kind: r.kind,
        reason: r.reason.slice(0, MAX_REASON_LENGTH),
      });
    }
    this.recent.splice(0, Math.max(0, this.recent.length - RECENT_REJECTIONS));
  }

  /** Messages this publisher dead-lettered since it was made, and the latest few of them. */
  stats(): { readonly total: number; readonly recent: readonly RecentRejection[] } {
    return { total: this.published, recent: [...this.recent] };
  }

  /**
   * The dead-letter record of one rejected message, never larger than `maxBytes`: the
   * reason and key are cut short, the original headers kept while small, and the value
   * cut to what is left (the original's size in a header). The topic, partition and
   * offset always say where the whole original is.
   */
  record(
    r: Rejected,
    rejectedAt: string,
    withoutValue: boolean,
  ): { key: Buffer | null; value: Buffer | null; headers: IHeaders } {
    const ours: IHeaders = {
      [DLQ_HEADERS.reason]: truncateText(r.reason, MAX_DLQ_REASON),
      [DLQ_HEADERS.kind]: r.kind,
      [DLQ_HEADERS.topic]: r.topic,
      [DLQ_HEADERS.partition]: String(r.partition),
      [DLQ_HEADERS.offset]: r.offset,
      [DLQ_HEADERS.consumerGroup]: this.consumerGroup,
      [DLQ_HEADERS.rejectedAt]: rejectedAt,
    };
    const originalHeaders = headerBytes(r.headers);
    const keepHeaders = originalHeaders <= MAX_ORIGINAL_HEADER_BYTES;
    const headers: IHeaders = keepHeaders
      ? { ...(r.headers ?? {}), ...ours }
      : { ...ours, [DLQ_HEADERS.headersDropped]: String(originalHeaders) };
    const key =
      r.key !== null && r.key.length > MAX_KEY_BYTES ? r.key.subarray(0, MAX_KEY_BYTES) : r.key;
    // the record's own framing and attributes, generously
    const overhead = 512 + headerBytes(headers) + 64 + (key?.length ?? 0);
    const room = Math.max(0, this.maxBytes - overhead);
    let value = withoutValue ? null : r.value;
    if (value !== null && value.length > room) {
      headers[DLQ_HEADERS.originalBytes] = String(value.length);
      value = value.subarray(0, room);
    } else if (withoutValue && r.value !== null) {
      headers[DLQ_HEADERS.originalBytes] = String(r.value.length);
    }
    return { key, value, headers };
  }
}
