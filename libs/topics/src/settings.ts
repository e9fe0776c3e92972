import { positiveDurationMs, setting } from '@wfm-stream/config';
import { z } from 'zod';

/** A retention: a duration (`30d`, `36h`) or `forever`; in ms, -1 for forever (Kafka's own spelling). */
function retention(defaultValue: string) {
  return z
    .string()
    .default(defaultValue)
    .transform((text, ctx) =>
      text.trim().toLowerCase() === 'forever'
        ? -1
        : positiveDurationMs(text, ctx, 'must be a duration such as 7d or 36h, or forever'),
    );
}

/**
 * How the pipeline's topics are laid out, for `wfm-stream topics ensure`. The defaults are
 * a production cluster's (three brokers or more); the local stack sets its own.
 * docs/configuration.md lists them, docs/architecture.md says why.
 */
export const topicLayoutSettings = {
  /** Partitions of the contact and agent event topics: the most aggregator or emitter instances that can share the work. */
  TOPIC_PARTITIONS: setting.int(12, 1, 10_000),
  /** Partitions of the export job queue; a target's jobs share one. */
  TOPIC_EXPORT_JOBS_PARTITIONS: setting.int(4, 1, 1_000),
  TOPIC_REPLICATION_FACTOR: setting.int(3, 1, 32),
  /** With acks=all, how many replicas must have a record before the broker acknowledges it. */
  TOPIC_MIN_INSYNC_REPLICAS: setting.int(2, 1, 32),
  /** How long the event topics keep records: also how far back `wfm-stream rebuild` can go. */
  TOPIC_EVENTS_RETENTION: retention('30d'),
  TOPIC_DEAD_LETTER_RETENTION: retention('30d'),
  TOPIC_EXPORT_JOBS_RETENTION: retention('7d'),
  /** Parked export jobs: kept long enough for an operator to look at them. */
  TOPIC_EXPORT_DEAD_LETTER_RETENTION: retention('90d'),
};

export type TopicLayout = z.output<z.ZodObject<typeof topicLayoutSettings>>;

/** Cross-field rules: min.insync.replicas cannot exceed the replication factor. */
export function checkTopicLayout(
  layout: { TOPIC_REPLICATION_FACTOR: number; TOPIC_MIN_INSYNC_REPLICAS: number },
  ctx: z.RefinementCtx,
): void {
  if (layout.TOPIC_MIN_INSYNC_REPLICAS > layout.TOPIC_REPLICATION_FACTOR) {
    ctx.addIssue({
      code: 'custom',
      path: ['TOPIC_MIN_INSYNC_REPLICAS'],
      message: `must be at most TOPIC_REPLICATION_FACTOR (${layout.TOPIC_REPLICATION_FACTOR})`,
    });
  }
}
