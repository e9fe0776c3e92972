import type { TopicSpec } from './layout.js';

/** A topic as the cluster has it. */
export interface ObservedTopic {
  readonly name: string;
  readonly partitions: number;
  /** The smallest replica count of its partitions. */
  readonly replicationFactor: number;
  /** Every config's effective value (defaults included). */
  readonly config: Readonly<Record<string, string>>;
  /** The configs set on the topic itself, which an update must keep. */
  readonly topicConfig: Readonly<Record<string, string>>;
}

export interface ConfigChange {
  readonly name: string;
  readonly from: string | undefined;
  readonly to: string;
}

/** What `topics ensure` does for one topic. */
export interface TopicPlanItem {
  readonly spec: TopicSpec;
  readonly create: boolean;
  /** Partitions to grow to (only with `allowPartitionIncrease`). */
  readonly growTo?: number | undefined;
  readonly configChanges: readonly ConfigChange[];
  /** Differences left alone that an operator must resolve. */
  readonly problems: readonly string[];
  /** Harmless differences, reported. */
  readonly notes: readonly string[];
}

export interface PlanOptions {
  /** Brokers in the cluster: a replication factor above it cannot be created. */
  readonly brokers: number;
  /** Add partitions to a topic with fewer than asked (keys then move: see docs/architecture.md). */
  readonly allowPartitionIncrease?: boolean;
}

/**
 * Compares what the settings ask for with what the cluster has. Creating a topic and
 * changing topic configs are safe and planned; adding partitions moves keys to other
 * partitions (a contact's later events would land beside other contacts', an agent's
 * pushes could reorder during the move), so it is planned only when asked for; a
 * replication factor is changed by a partition reassignment, which this tool leaves to
 * Kafka's own tools.
 */
export function planTopic(
  spec: TopicSpec,
  observed: ObservedTopic | undefined,
  options: PlanOptions,
): TopicPlanItem {
  if (observed === undefined) {
    const problems =
      spec.replicationFactor > options.brokers
        ? [
            `replication factor ${spec.replicationFactor} needs ${spec.replicationFactor} brokers; the cluster has ${options.brokers} (set TOPIC_REPLICATION_FACTOR)`,
          ]
        : [];
    return { spec, create: problems.length === 0, configChanges: [], problems, notes: [] };
  }
  const problems: string[] = [];
  const notes: string[] = [];
  let growTo: number | undefined;
  if (observed.partitions < spec.partitions) {
    if (options.allowPartitionIncrease === true) growTo = spec.partitions;
    else
      problems.push(
        `has ${observed.partitions} partitions, the settings ask for ${spec.partitions}: adding partitions moves keys to other partitions, so it needs --allow-partition-increase (with the consumers stopped and their lag at zero)`,
      );
  } else if (observed.partitions > spec.partitions) {
    notes.push(
      `has ${observed.partitions} partitions, more than the ${spec.partitions} asked for (Kafka cannot remove partitions; more is harmless)`,
    );
  }
  if (observed.replicationFactor !== spec.replicationFactor) {
    problems.push(
      `has replication factor ${observed.replicationFactor}, the settings ask for ${spec.replicationFactor}: change it with a partition reassignment (kafka-reassign-partitions)`,
    );
  }
  const configChanges: ConfigChange[] = [];
  for (const [name, to] of Object.entries(spec.config)) {
    const from = observed.config[name];
    if (from !== to) configChanges.push({ name, from, to });
  }
  return { spec, create: false, growTo, configChanges, problems, notes };
}

/** True when the plan changes nothing. */
export function isNoop(item: TopicPlanItem): boolean {
  return !item.create && item.growTo === undefined && item.configChanges.length === 0;
}

/** One line per topic for people: `cc.contact-events: create (12 partitions, rf 3, retention.ms=…)`. */
export function describePlanItem(item: TopicPlanItem, done: boolean): string[] {
  const { spec } = item;
  const verb = (future: string, past: string): string => (done ? past : future);
  const lines: string[] = [];
  const configText = Object.entries(spec.config)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  if (item.create)
    lines.push(
      `${spec.name}: ${verb('create', 'created')} (${spec.partitions} partitions, replication factor ${spec.replicationFactor}, ${configText})`,
    );
  if (item.growTo !== undefined)
    lines.push(`${spec.name}: ${verb('grow', 'grew')} to ${item.growTo} partitions`);
  for (const change of item.configChanges)
    lines.push(
      `${spec.name}: ${verb('set', 'set')} ${change.name}=${change.to} (was ${change.from ?? 'unset'})`,
    );
  for (const note of item.notes) lines.push(`${spec.name}: ${note}`);
  for (const problem of item.problems) lines.push(`${spec.name}: NOT CHANGED: ${problem}`);
  if (lines.length === 0) lines.push(`${spec.name}: as configured`);
  return lines;
}
