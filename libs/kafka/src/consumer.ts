import type { Health, Logger } from '@wfm-stream/observability';
import { backoffMs, type BackoffPolicy, classifyError, pause } from '@wfm-stream/retry';
import type { EpochMs, Stream, WfmEvent } from '@wfm-stream/schemas';
import type { Admin, Batch, Consumer, EachBatchPayload, Kafka } from 'kafkajs';

import type { ConsumerMetrics } from './consumer-metrics.js';
import type { DeadLetterPublisher, Rejected } from './dead-letter.js';
import type { EventDecoder } from './decode.js';
import { createGroupConsumer, reportConsumerHealth, runBatches } from './group-consumer.js';
import { type GapLog, PartitionGuard, type ProgressStore } from './partition-guard.js';

export interface ConsumedEvent {
  readonly event: WfmEvent;
  /** The event's `occurredAt`, parsed once by the contract's parser. */
  readonly atMs: EpochMs;
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
  /**
   * Refuses an event of the batch (a limit of the handler's state): once the handler has
   * resolved, it goes to the dead-letter topic with the reason.
   */
  reject(rejection: HandlerRejection): void;
}

/** An event the handler refused (a limit of its state): it goes to the dead-letter topic. */
export interface HandlerRejection {
  readonly offset: string;
  readonly kind: string;
  readonly reason: string;
}

/**
 * Processes a batch; resolves only when its effects are durable. May be called again with
 * the same events (and must then refuse the same ones, through `context.reject`).
 */
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
  /**
   * Failures of a batch that retrying cannot fix (a bug, a script error, data no code
   * path expected) before its events are tried one by one and the ones that still fail
   * are dead-lettered (`POISON_MAX_ATTEMPTS`, default 3). Failures of a dependency
   * (Redis, Kafka, the Schema Registry away) are retried without limit.
   */
  readonly poisonMaxAttempts?: number;
  /** Waits between attempts (default 100 ms doubling to 5 s). */
  readonly backoff?: BackoffPolicy;
  /**
   * Where the state's effects stand: recorded after each batch, checked at assignment and
   * every few seconds, so a Redis that lost acknowledged writes is consumed into again
   * (docs/architecture.md, "When Redis loses data").
   */
  readonly progress?: ProgressStore | undefined;
  /** Where data gaps (records the broker no longer had) are recorded for the reader. */
  readonly gaps?: GapLog | undefined;
  /** Compacted topics: offsets with holes by design, no gap is looked for. */
  readonly compactedTopics?: readonly string[];
}

/** `POISON_MAX_ATTEMPTS`'s default. */
export const DEFAULT_POISON_MAX_ATTEMPTS = 3;
const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 5_000 };

const HEALTH_COMPONENT = 'kafka-consumer';

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length <= 500 ? text : `${text.slice(0, 499)}…`;
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
  private readonly guard: PartitionGuard;
  private admin: Admin | undefined;
  private stopping = false;
  /** The batches being processed now (one per partition at most). */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: EventConsumerOptions) {
    this.streams = new Map(options.topics.map((t) => [t.topic, t.stream]));
    // Rare events' counters exist at 0 from the start: `increase()` in an alert then sees
    // the first gap or loss, rather than a series that appears already at its value.
    for (const { topic } of options.topics) {
      options.metrics?.gapRecords.inc({ topic }, 0);
      options.metrics?.stateLosses.inc({ topic }, 0);
    }
    // kafkajs's only assigner, RoundRobin, and its only rebalance protocol, eager: every
    // join or leave stops the whole group for the rebalance; kafkajs has no cooperative
    // (incremental) protocol (docs/architecture.md, "Scaling out and in")
    this.consumer = createGroupConsumer(options.kafka, {
      groupId: options.groupId,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 100,
      maxBytesPerPartition: options.maxBytesPerPartition,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    });
    this.guard = new PartitionGuard({
      group: options.groupId,
      admin: async () => {
        if (this.admin === undefined) {
          const admin = options.kafka.admin();
          await admin.connect();
          this.admin = admin;
        }
        return this.admin;
      },
      progress: options.progress,
      gaps: options.gaps,
      compacted: new Set(options.compactedTopics ?? []),
      seek: (topic, partition, offset) => {
        this.consumer.seek({ topic, partition, offset });
      },
      onGap: (gap) => {
        options.metrics?.gapRecords.inc({ topic: gap.topic }, gap.toOffset - gap.fromOffset);
        // named by /readyz until the process ends (docs/architecture.md, "When data is missing")
        options.health?.warn('data-gap');
      },
      onStateLoss: (topic) => options.metrics?.stateLosses.inc({ topic }),
      logger: options.logger,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      void this.guard.assigned(event.payload.memberAssignment);
    });
    if (options.health !== undefined)
      reportConsumerHealth(this.consumer, options.health, {
        component: HEALTH_COMPONENT,
        name: 'Kafka consumer',
        joined: (assignment) => `joined; ${JSON.stringify(assignment)}`,
      });
  }

  async start(): Promise<void> {
    await runBatches(this.consumer, {
      topics: this.options.topics.map((t) => t.topic),
      fromBeginning: this.options.fromBeginning ?? true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      eachBatch: async (payload) => {
        const { batch } = payload;
        // a batch fetched once stopping began is not started: it is its next owner's
        if (batch.messages.length === 0 || this.stopping) return;
        const inFlight = this.runBatch(payload);
        this.inFlight.add(inFlight);
        try {
          await inFlight;
        } finally {
          this.inFlight.delete(inFlight);
        }
      },
    });
  }

  /** One batch: processed, recorded, its offset resolved and committed. */
  private async runBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = (): Promise<void> => payload.heartbeat();
    const ticket = this.guard.begin(batch.topic, batch.partition);
    const done = await this.processBatch(
      batch,
      heartbeat,
      () => payload.isRunning() && !payload.isStale(),
    );
    if (!done) return;
    const first = batch.messages[0];
    const last = batch.messages[batch.messages.length - 1];
    // a batch that straddles a seek back (the store lost state meanwhile) is read again
    // from the seek: resolving its offsets would skip what it covers
    const counted = await this.guard.applied(
      ticket,
      Number(first?.offset ?? batch.firstOffset()),
      Number(batch.lastOffset()),
      Number(first?.timestamp ?? 0),
      Number(last?.timestamp ?? 0),
    );
    if (!counted) return;
    // The progress record holds the batch before its offset may be committed: a crash
    // between a commit and the record would otherwise look, to the next owner, like a
    // Redis that lost effects (docs/architecture.md, "When Redis loses data"). Not
    // recorded: the offset stays unresolved, and the batch comes again.
    if (!(await this.guard.flush())) return;
    payload.resolveOffset(batch.lastOffset());
    if (this.stopping) {
      // committed now, while the member is still in its group: what it wrote to Redis
      // is what it leaves committed (docs/architecture.md, "Exactly once: offsets after Redis")
      await payload.commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [
              { partition: batch.partition, offset: String(BigInt(batch.lastOffset()) + 1n) },
            ],
          },
        ],
      });
      return;
    }
    await payload.commitOffsetsIfNecessary();
    await heartbeat();
  }

  /**
   * Finishes the batches in hand (each partition's one, PARTITIONS_CONSUMED_CONCURRENTLY at
   * a time), commits them, and leaves the group; batches not yet begun are left to the next
   * owner. kafkajs's own stop may leave the group while such a batch still runs, whose
   * commit then fails after its effects are written.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight]);
    await this.consumer.disconnect();
    await this.guard.stop();
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** Returns false when the batch was abandoned (shutdown or rebalance): it will be redelivered. */
  private async processBatch(
    batch: Batch,
    heartbeat: () => Promise<void>,
    stillOurs: () => boolean,
  ): Promise<boolean> {
    const { topic, partition } = batch;
    const stream = this.streams.get(topic);
    if (stream === undefined) {
      this.options.logger.error({ topic, partition }, 'a batch of a topic we did not subscribe to');
      return false;
    }
    const started = process.hrtime.bigint();
    let events: ConsumedEvent[] = [];
    let rejected: Rejected[] = [];
    let permanentFailures = 0;
    const maxPermanent = this.options.poisonMaxAttempts ?? DEFAULT_POISON_MAX_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      if (this.stopping && attempt > 1) return false;
      if (!stillOurs()) return false;
      try {
        ({ events, rejected } = await this.decodeBatch(batch, stream));
        if (permanentFailures >= maxPermanent) {
          // the batch keeps failing in a way retrying does not fix: find the events that
          // do, one by one, and set them aside; the others are applied
          const poison = await this.isolatePoison(batch, stream, events, heartbeat);
          rejected = [...rejected, ...poison.rejected];
          events = poison.applied;
        }
        if (events.length > 0 && permanentFailures < maxPermanent) {
          const refusals: HandlerRejection[] = [];
          await this.options.handler(
            { topic, partition, stream, events },
            { heartbeat, reject: (r) => refusals.push(r) },
          );
          rejected = [...rejected, ...this.refusedBy(batch, refusals)];
        }
        if (rejected.length > 0) await this.options.deadLetter.publish(rejected);
        break;
      } catch (error) {
        const kind = classifyError(error);
        if (kind === 'permanent') permanentFailures += 1;
        this.options.metrics?.retries.inc({ topic });
        const delay = backoffMs(this.options.backoff ?? DEFAULT_BACKOFF, attempt);
        this.options.logger.warn(
          { err: error, topic, partition, attempt, kind, retryInMs: delay },
          'batch processing failed; retrying',
        );
        if (!(await pause(delay, () => !this.stopping && stillOurs(), heartbeat))) return false;
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
   * Applies the events one at a time. An event whose handling fails in a way retrying
   * cannot fix, `poisonMaxAttempts` times in a row, becomes a dead-letter record of kind
   * `unprocessable` with the error; a dependency failing meanwhile is waited out.
   */
  private async isolatePoison(
    batch: Batch,
    stream: Stream,
    events: readonly ConsumedEvent[],
    heartbeat: () => Promise<void>,
  ): Promise<{ applied: ConsumedEvent[]; rejected: Rejected[] }> {
    const { topic, partition } = batch;
    const maxPermanent = this.options.poisonMaxAttempts ?? DEFAULT_POISON_MAX_ATTEMPTS;
    const applied: ConsumedEvent[] = [];
    const rejected: Rejected[] = [];
    const messages = new Map(batch.messages.map((m) => [m.offset, m]));
    for (const event of events) {
      let permanent = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          const refusals: HandlerRejection[] = [];
          await this.options.handler(
            { topic, partition, stream, events: [event] },
            { heartbeat, reject: (r) => refusals.push(r) },
          );
          rejected.push(...this.refusedBy(batch, refusals));
          applied.push(event);
          break;
        } catch (error) {
          if (classifyError(error) === 'permanent') permanent += 1;
          if (permanent >= maxPermanent) {
            const message = messages.get(event.offset);
            rejected.push({
              topic,
              partition,
              offset: event.offset,
              key: message?.key ?? null,
              value: message?.value ?? null,
              headers: message?.headers,
              kind: 'unprocessable',
              reason: `processing failed ${permanent} times: ${describeError(error)}`,
            });
            break;
          }
          if (
            !(await pause(
              backoffMs(this.options.backoff ?? DEFAULT_BACKOFF, attempt),
              () => !this.stopping,
              heartbeat,
            ))
          )
            throw new Error('stopped while isolating a failing event');
        }
      }
    }
    return { applied, rejected };
  }

  /** The handler's refusals as dead-letter records, with the original messages. */
  private refusedBy(batch: Batch, refusals: readonly HandlerRejection[]): Rejected[] {
    if (refusals.length === 0) return [];
    const messages = new Map(batch.messages.map((m) => [m.offset, m]));
    return refusals.map((r) => {
      const message = messages.get(r.offset);
      return {
        topic: batch.topic,
        partition: batch.partition,
        offset: r.offset,
        key: message?.key ?? null,
        value: message?.value ?? null,
        headers: message?.headers,
        kind: r.kind,
        reason: r.reason,
      };
    });
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
      // JSON (most messages) without a promise per message; Avro through the registry
      const decoded =
        this.options.decoder.decodeNow(message.value, stream) ??
        (await this.options.decoder.decode(message.value, stream));
      if (decoded.ok) {
        events.push({
          event: decoded.event,
          atMs: decoded.atMs,
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
