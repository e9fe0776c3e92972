import type { KafkaCluster } from '@wfm-stream/local-stack';

import { ensurePipelineTopics, loadTopicsConfig, type TopicsConfig } from '../topics.js';

/**
 * The local topic layout: the caller's TOPIC_* names and retentions, `--partitions` per
 * event topic, and the cluster's replication (1, or 3 with min.insync.replicas 2).
 */
export function localTopicLayout(
  env: NodeJS.ProcessEnv,
  options: { readonly partitions: number; readonly brokers: 1 | 3 },
): TopicsConfig {
  return loadTopicsConfig({
    ...env,
    // the local cluster's brokers are not known yet: ensureLocalTopics and the traffic
    // use the cluster's own, and `.invalid` never resolves should anything else try this
    KAFKA_BROKERS: 'local-stack.invalid:9092',
    TOPIC_PARTITIONS: String(options.partitions),
    TOPIC_REPLICATION_FACTOR: String(options.brokers),
    TOPIC_MIN_INSYNC_REPLICAS: options.brokers === 3 ? '2' : '1',
  });
}

/** Creates the pipeline's topics on the local cluster, as `wfm-stream topics ensure` does. */
export async function ensureLocalTopics(layout: TopicsConfig, kafka: KafkaCluster): Promise<void> {
  const ensured = await ensurePipelineTopics({ ...layout, KAFKA_BROKERS: [...kafka.brokers] });
  if (!ensured.ok) throw new Error('the local topics could not be created as configured');
}
