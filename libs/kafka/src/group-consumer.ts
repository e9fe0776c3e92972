import type { Health } from '@wfm-stream/observability';
import type { Consumer, EachBatchHandler, Kafka } from 'kafkajs';

/**
 * What a group member of wfm-stream is built with: the event consumers (consumer.ts) and
 * the exporter's worker alike.
 */
export interface GroupConsumerSettings {
  readonly groupId: string;
  /** Longest time a fetch waits for data; bounds the latency of a quiet topic. */
  readonly maxWaitTimeInMs: number;
  /** Most bytes one fetch brings of one partition (kafkajs's default, 1 MB, unless set). */
  readonly maxBytesPerPartition?: number | undefined;
  /** A member silent this long loses its partitions; it heartbeats ten times as often. */
  readonly sessionTimeoutMs: number;
}

/**
 * A kafkajs consumer with the project's group settings: heartbeats at a tenth of the
 * session timeout (at least every 500 ms), the client's own retries bounded.
 */
export function createGroupConsumer(kafka: Kafka, settings: GroupConsumerSettings): Consumer {
  return kafka.consumer({
    groupId: settings.groupId,
    maxWaitTimeInMs: settings.maxWaitTimeInMs,
    ...(settings.maxBytesPerPartition === undefined
      ? {}
      : { maxBytesPerPartition: settings.maxBytesPerPartition }),
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(settings.sessionTimeoutMs / 10)),
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
}

/**
 * Makes the consumer's group membership a component of the readiness (`/readyz`): ready
 * once it joined, not ready when it crashed, disconnected or stopped. A crash kafkajs
 * will not restart from fails the liveness, since only a restart cures it
 * (deploy/k8s/README.md).
 */
export function reportConsumerHealth(
  consumer: Consumer,
  health: Health,
  options: {
    /** The readiness component: `kafka-consumer`, `export-consumer`. */
    readonly component: string;
    /** Names the consumer in the liveness failure: `Kafka consumer`, `export consumer`. */
    readonly name: string;
    /** The component's detail when the member joined (default: `joined`). */
    readonly joined?: (assignment: unknown) => string;
  },
): void {
  const { component, name, joined } = options;
  health.register(component);
  const { GROUP_JOIN, CRASH, DISCONNECT, STOP } = consumer.events;
  consumer.on(GROUP_JOIN, (event) => {
    health.set(component, true, joined?.(event.payload.memberAssignment) ?? 'joined');
  });
  consumer.on(CRASH, (event) => {
    health.set(component, false, `crashed: ${String(event.payload.error)}`);
    if (!event.payload.restart) health.fail(`${name} stopped: ${String(event.payload.error)}`);
  });
  consumer.on(DISCONNECT, () => {
    health.set(component, false, 'disconnected');
  });
  consumer.on(STOP, () => {
    health.set(component, false, 'stopped');
  });
}

/**
 * Connects, subscribes and runs the batch loop the way every group member does: offsets
 * are resolved by `eachBatch` itself, only after the batch's effects are durable, and
 * committed within a second of being resolved.
 */
export async function runBatches(
  consumer: Consumer,
  options: {
    readonly topics: readonly string[];
    /** Read the topics from the start when the group has no committed offsets. */
    readonly fromBeginning: boolean;
    readonly partitionsConsumedConcurrently: number;
    readonly eachBatch: EachBatchHandler;
  },
): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning });
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: 1_000,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: options.eachBatch,
  });
}
