import type { TopicLayout } from './settings.js';

/** A topic as the pipeline wants it. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level configs (`cleanup.policy`, `retention.ms`, …), as Kafka spells them. */
  readonly config: Readonly<Record<string, string>>;
}

/** The names of the pipeline's topics (each a `TOPIC_*` setting). */
export interface PipelineTopicNames {
  readonly directory: string;
  readonly contacts: string;
  readonly agents: string;
  readonly deadLetter: string;
  readonly exportJobs: string;
  readonly exportDeadLetter: string;
}

/**
 * Every topic the pipeline uses, from its names and layout settings:
 *
 * - the contact and agent event topics: `TOPIC_PARTITIONS` partitions, kept
 *   `TOPIC_EVENTS_RETENTION` (what a rebuild can read back);
 * - the directory: one partition, compacted (the latest record per entity stays);
 * - the dead-letter topic: one partition;
 * - the export job queue: `TOPIC_EXPORT_JOBS_PARTITIONS` partitions (a target's jobs share one);
 * - the export dead-letter topic (parked jobs): one partition.
 */
export function pipelineTopics(names: PipelineTopicNames, layout: TopicLayout): TopicSpec[] {
  const rf = layout.TOPIC_REPLICATION_FACTOR;
  const isr = { 'min.insync.replicas': String(layout.TOPIC_MIN_INSYNC_REPLICAS) };
  const deleting = (retentionMs: number) => ({
    ...isr,
    'cleanup.policy': 'delete',
    'retention.ms': String(retentionMs),
  });
  return [
    {
      name: names.contacts,
      partitions: layout.TOPIC_PARTITIONS,
      replicationFactor: rf,
      config: deleting(layout.TOPIC_EVENTS_RETENTION),
    },
    {
      name: names.agents,
      partitions: layout.TOPIC_PARTITIONS,
      replicationFactor: rf,
      config: deleting(layout.TOPIC_EVENTS_RETENTION),
    },
    {
      name: names.directory,
      partitions: 1,
      replicationFactor: rf,
      config: { ...isr, 'cleanup.policy': 'compact' },
    },
    {
      name: names.deadLetter,
      partitions: 1,
      replicationFactor: rf,
      config: deleting(layout.TOPIC_DEAD_LETTER_RETENTION),
    },
    {
      name: names.exportJobs,
      partitions: layout.TOPIC_EXPORT_JOBS_PARTITIONS,
      replicationFactor: rf,
      config: deleting(layout.TOPIC_EXPORT_JOBS_RETENTION),
    },
    {
      name: names.exportDeadLetter,
      partitions: 1,
      replicationFactor: rf,
      config: deleting(layout.TOPIC_EXPORT_DEAD_LETTER_RETENTION),
    },
  ];
}
