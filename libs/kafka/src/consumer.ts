import type { Health, Logger } from '@wfm-stream/observability';
import type { Stream, WfmEvent } from '@wfm-stream/schemas';
import type { Batch, Consumer, Kafka } from 'kafkajs';

import type { ConsumerMetrics } from './consumer-metrics.js';
import type { DeadLetterPublisher, Rejected } from './dead-letter.js';
import type { EventDecoder } from './decode.js';

export interface ConsumedEvent {
  readonly event: WfmEvent;
  readonly offset: string;
  /** The message's timestamp (epoch ms): append or create time, as the topic records it. */
  readonly timestampMs: number;
}

export interface EventBatch {
  readonly topic: string;
  readonly partition: number;
  readonly stream: Stream;
  readonly events: readonly ConsumedEvent[];
}

export interface BatchContext {
  /** Keeps group membership alive during long work. */
  heartbeat(): Promise<void>;
}

/** Processes a batch; resolves only when its effects are durable. May be called again with the same events. */
export type BatchHandler = (batch: EventBatch, context: BatchContext) => Promise<void>;

export interface SubscribedTopic {
  readonly topic: string;
  readonly stream: Stream;
}

export interface EventConsumerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly SubscribedTopic[];
  readonly handler: BatchHandler;
  readonly decoder: EventDecoder;
  readonly deadLetter: DeadLetterPublisher;
  readonly logger: Logger;
  readonly metrics?: ConsumerMetrics | undefined;
  readonly health?: Health | undefined;
  readonly partitionsConsumedConcurrently?: number;
  /** Longest time a fetch waits for data; bounds the latency of a quiet stream. */
  readonly maxWaitTimeInMs?: number;
  /** Most bytes one fetch brings of one partition (kafkajs's default, 1 MB, unless set). */
  readonly maxBytesPerPartition?: number;
  readonly sessionTimeoutMs?: number;
  /** Read topics from the start when the group has no committed offsets. */
  readonly fromBeginning?: boolean;
}

const HEALTH_COMPONENT = 'kafka-consumer';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A consumer-group member that turns messages into validated events. For every batch:
 * bad messages go to the dead-letter topic, the good ones to the handler, and only then
 * are the offsets resolved (and committed soon after), so a committed offset never
 * covers an effect that is not yet durable. When the handler fails (Redis unavailable,
 * say) the batch is retried in place with backoff, heartbeats keeping the partition
 * assigned; nothing is skipped and consumption resumes when the failure clears.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly streams: Map<string, Stream>;
  private stopping = false;

  constructor(private readonly options: EventConsumerOptions) {
    this.streams = new Map(options.topics.map((t) => [t.topic, t.stream]));
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 100,
      ...(options.maxBytesPerPartition === undefined
        ? {}
        : { maxBytesPerPartition: options.maxBytesPerPartition }),
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.max(500, Math.floor((options.sessionTimeoutMs ?? 30_000) / 10)),
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    const health = options.health;
    if (health !== undefined) {
      health.register(HEALTH_COMPONENT);
      const { GROUP_JOIN, CRASH, DISCONNECT, STOP } = this.consumer.events;
      this.consumer.on(GROUP_JOIN, (event) => {
        health.set(
          HEALTH_COMPONENT,
          true,
          `joined; ${JSON.stringify(event.payload.memberAssignment)}`,
        );
      });
      this.consumer.on(CRASH, (event) => {
        health.set(HEALTH_COMPONENT, false, `crashed: ${String(event.payload.error)}`);
        if (!event.payload.restart)
          health.fail(`Kafka consumer stopped: ${String(event.payload.error)}`);
      });
      this.consumer.on(DISCONNECT, () => {
        health.set(HEALTH_COMPONENT, false, 'disconnected');
      });
      this.consumer.on(STOP, () => {
        health.set(HEALTH_COMPONENT, false, 'stopped');
      });
    }
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics.map((t) => t.topic),
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (batch.messages.length === 0) return;
        const heartbeat = (): Promise<void> => payload.heartbeat();
        const done = await this.processBatch(
          batch,
          heartbeat,
          () => payload.isRunning() && !payload.isStale(),
        );
        if (!done) return;
        payload.resolveOffset(batch.lastOffset());
        await payload.commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
  }

  /** Finishes the batch in hand, commits, and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }

  /** Returns false when the batch was abandoned (shutdown or rebalance): it will be redelivered. */
  private async processBatch(
    batch: Batch,
    heartbeat: () => Promise<void>,
    stillOurs: () => boolean,
  ): Promise<boolean> {
    const { topic, partition } = batch;
    const stream = this.streams.get(topic);
    if (stream === undefined) throw new Error(`consumed a topic we did not subscribe to: ${topic}`);
    const started = process.hrtime.bigint();
    let events: ConsumedEvent[] = [];
    let rejected: Rejected[] = [];
    for (let attempt = 1; ; attempt++) {
      if (this.stopping && attempt > 1) return false;
      if (!stillOurs()) return false;
      try {
        ({ events, rejected } = await this.decodeBatch(batch, stream));
        if (rejected.length > 0) await this.options.deadLetter.publish(rejected);
        if (events.length > 0)
          await this.options.handler({ topic, partition, stream, events }, { heartbeat });
        break;
      } catch (error) {
        this.options.metrics?.retries.inc({ topic });
        const delay = Math.min(5_000, 100 * 2 ** Math.min(attempt - 1, 6));
        this.options.logger.warn(
          { err: error, topic, partition, attempt, retryInMs: delay },
          'batch processing failed; retrying',
        );
        await sleep(delay);
        await heartbeat();
      }
    }
    const metrics = this.options.metrics;
    if (metrics !== undefined) {
      metrics.consumed.inc({ topic }, events.length);
      for (const r of rejected) metrics.rejected.inc({ topic, kind: r.kind });
      metrics.batchSize.observe({ topic }, batch.messages.length);
      metrics.batchSeconds.observe({ topic }, Number(process.hrtime.bigint() - started) / 1e9);
      const now = Date.now();
      const last = events[events.length - 1];
      if (last !== undefined)
        metrics.eventAgeSeconds.observe({ topic }, Math.max(0, now - last.timestampMs) / 1000);
      metrics.lag.set({ topic, partition: String(partition) }, Number(batch.offsetLagLow()));
      metrics.lagAfter.set({ topic, partition: String(partition) }, Number(batch.offsetLag()));
    }
    for (const r of rejected) {
      this.options.logger.warn(
        {
          topic: r.topic,
          partition: r.partition,
          offset: r.offset,
          kind: r.kind,
          reason: r.reason,
        },
        'message rejected to the dead-letter topic',
      );
    }
    return true;
  }

  /**
   * Decodes every message of the batch. A message that cannot be read now (the Schema
   * Registry is unreachable) fails the whole attempt, so the batch is retried in place
   * and nothing valid is ever dead-lettered for an outage.
   */
  private async decodeBatch(
    batch: Batch,
    stream: Stream,
  ): Promise<{ events: ConsumedEvent[]; rejected: Rejected[] }> {
    const { topic, partition } = batch;
    const events: ConsumedEvent[] = [];
    const rejected: Rejected[] = [];
    for (const message of batch.messages) {
      const decoded = await this.options.decoder.decode(message.value, stream);
      if (decoded.ok) {
        events.push({
          event: decoded.event,
          offset: message.offset,
          timestampMs: Number(message.timestamp),
        });
      } else if (decoded.retriable === true) {
        throw new Error(`offset ${message.offset}: ${decoded.reason}`);
      } else {
        rejected.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers,
          kind: decoded.kind,
          reason: decoded.reason,
        });
      }
    }
    return { events, rejected };
  }
}
