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
  ) {}

  async publish(rejected: readonly Rejected[]): Promise<void> {
    if (rejected.length === 0) return;
    const now = new Date().toISOString();
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: rejected.map((r) => ({
        key: r.key,
        value: r.value,
        headers: {
          ...(r.headers ?? {}),
          [DLQ_HEADERS.reason]: r.reason,
          [DLQ_HEADERS.kind]: r.kind,
          [DLQ_HEADERS.topic]: r.topic,
          [DLQ_HEADERS.partition]: String(r.partition),
          [DLQ_HEADERS.offset]: r.offset,
          [DLQ_HEADERS.consumerGroup]: this.consumerGroup,
          [DLQ_HEADERS.rejectedAt]: now,
        },
      })),
    });
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
}
