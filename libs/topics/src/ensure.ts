import kafkajs, { type Admin } from 'kafkajs';

import type { TopicSpec } from './layout.js';
import { isNoop, type ObservedTopic, planTopic, type TopicPlanItem } from './plan.js';

// kafkajs is CommonJS: Node's ESM loader does not see its enums as named exports
const TOPIC_RESOURCE = kafkajs.ConfigResourceTypes.TOPIC;
const SET_ON_TOPIC = kafkajs.ConfigSource.TOPIC_CONFIG;

/** Reads the named topics' partitions, replication and configs; missing topics are left out. */
export async function observeTopics(
  admin: Admin,
  names: readonly string[],
): Promise<Map<string, ObservedTopic>> {
  const existing = new Set(await admin.listTopics());
  const present = names.filter((n) => existing.has(n));
  const observed = new Map<string, ObservedTopic>();
  if (present.length === 0) return observed;
  const [metadata, configs] = await Promise.all([
    admin.fetchTopicMetadata({ topics: present }),
    admin.describeConfigs({
      includeSynonyms: false,
      resources: present.map((name) => ({ type: TOPIC_RESOURCE, name })),
    }),
  ]);
  const configByTopic = new Map(configs.resources.map((r) => [r.resourceName, r.configEntries]));
  for (const topic of metadata.topics) {
    const entries = configByTopic.get(topic.name) ?? [];
    const config: Record<string, string> = {};
    const topicConfig: Record<string, string> = {};
    for (const entry of entries) {
      config[entry.configName] = entry.configValue;
      if (entry.configSource === SET_ON_TOPIC && !entry.isSensitive)
        topicConfig[entry.configName] = entry.configValue;
    }
    observed.set(topic.name, {
      name: topic.name,
      partitions: topic.partitions.length,
      replicationFactor: Math.min(...topic.partitions.map((p) => p.replicas.length)),
      config,
      topicConfig,
    });
  }
  return observed;
}

export interface EnsureOptions {
  /** Plan only; change nothing. */
  readonly dryRun?: boolean;
  readonly allowPartitionIncrease?: boolean;
}

export interface EnsureResult {
  readonly items: readonly TopicPlanItem[];
  /** True when every topic is as the settings ask (after the changes, unless a dry run). */
  readonly ok: boolean;
  readonly changed: boolean;
}

/**
 * Makes the cluster's topics what the specs say, through the admin API: creates the
 * missing ones (waiting for their leaders), sets topic configs that differ (keeping the
 * other configs set on the topic), and with `allowPartitionIncrease` adds partitions.
 * Anything else that differs is reported in `problems` and left alone. Running it again
 * changes nothing. This is the only code path that creates topics, in production, in
 * the local stack and in the tests.
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  options: EnsureOptions = {},
): Promise<EnsureResult> {
  const [cluster, observed] = await Promise.all([
    admin.describeCluster(),
    observeTopics(
      admin,
      specs.map((s) => s.name),
    ),
  ]);
  const items = specs.map((spec) =>
    planTopic(spec, observed.get(spec.name), {
      brokers: cluster.brokers.length,
      allowPartitionIncrease: options.allowPartitionIncrease ?? false,
    }),
  );
  const ok = items.every((i) => i.problems.length === 0);
  const changed = items.some((i) => !isNoop(i));
  if (options.dryRun === true || !changed) return { items, ok, changed: false };

  const creates = items.filter((i) => i.create);
  if (creates.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: creates.map(({ spec }) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
        configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  const grows = items.filter((i) => i.growTo !== undefined);
  if (grows.length > 0) {
    await admin.createPartitions({
      topicPartitions: grows.map((i) => ({ topic: i.spec.name, count: i.growTo ?? 0 })),
    });
  }
  const alters = items.filter((i) => i.configChanges.length > 0);
  if (alters.length > 0) {
    // AlterConfigs replaces a topic's whole config: send what it has plus the changes
    await admin.alterConfigs({
      validateOnly: false,
      resources: alters.map((item) => {
        const merged: Record<string, string> = {
          ...(observed.get(item.spec.name)?.topicConfig ?? {}),
        };
        for (const change of item.configChanges) merged[change.name] = change.to;
        return {
          type: TOPIC_RESOURCE,
          name: item.spec.name,
          configEntries: Object.entries(merged).map(([name, value]) => ({ name, value })),
        };
      }),
    });
  }
  return { items, ok, changed: true };
}
