import {
  decodeJob,
  type ExportJob,
  type ExportQueue,
  type IntervalRecords,
  jobInterval,
  type ParkKind,
  recordsHash,
} from '@wfm-stream/export';
import { createGroupConsumer, reportConsumerHealth, runBatches } from '@wfm-stream/kafka';
import { type Health, type Logger, redactText } from '@wfm-stream/observability';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';

import type { ExportActivity } from './activity.js';
import type { DeliveredLog } from './delivered.js';
import type { ExporterMetrics } from './metrics.js';
import type { RecordSource } from './record-source.js';
import { backoffMs, pause, type RetryPolicy } from './retry.js';
import { asDeliveryError, type Target } from './targets/types.js';

export interface WorkerOptions {
  readonly kafka: Kafka;
  readonly queue: ExportQueue;
  readonly groupId: string;
  readonly targets: ReadonlyMap<string, Target>;
  readonly source: RecordSource;
  readonly delivered: DeliveredLog;
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  readonly metrics: ExporterMetrics;
  readonly health?: Health | undefined;
  readonly sessionTimeoutMs: number;
  readonly partitionsConsumedConcurrently: number;
  /** Told what the worker does, for the status board (activity.ts). */
  readonly activity?: ExportActivity | undefined;
}

const HEALTH_COMPONENT = 'export-consumer';

/** Backoff of Redis and Kafka failures: retried until they clear, never counted as attempts. */
const INFRASTRUCTURE_RETRY: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  initialMs: 200,
  maxMs: 10_000,
};

/** A job in hand: where it is, and whether its partition is still this worker's. */
interface Place {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  /** False once the partition was lost or the worker stops: the job is abandoned. */
  readonly stillOurs: () => boolean;
  /** Keeps the partition assigned while the job waits. */
  readonly heartbeat: () => Promise<void>;
}

/**
 * Consumes export jobs (consumer group EXPORT_CONSUMER_GROUP). For each job, in order
 * per partition (one target's jobs are in one partition): compute the interval's records,
 * skip if exactly this content was already delivered to the target, else deliver, with
 * up to EXPORT_MAX_ATTEMPTS attempts and exponential backoff between them; record the
 * delivery; then commit the offset. After the last attempt — or at once when the target
 * refuses the content, or the job is not one, or names no configured target — the job is
 * parked on the dead-letter topic with the reason and attempts in headers, and the
 * partition moves on.
 *
 * Redis and Kafka failures are not the target's: they are retried with backoff until
 * they clear, without counting attempts. While a job waits, its partition waits too
 * (that keeps a target's intervals in order); heartbeats keep the partition assigned.
 */
export class ExportWorker {
  private readonly consumer: Consumer;
  private readonly abort = new AbortController();
  private readonly latest = new Map<string, number>();
  private stopping = false;

  constructor(private readonly options: WorkerOptions) {
    this.consumer = createGroupConsumer(options.kafka, {
      groupId: options.groupId,
      maxWaitTimeInMs: 250,
      sessionTimeoutMs: options.sessionTimeoutMs,
    });
    if (options.health !== undefined)
      reportConsumerHealth(this.consumer, options.health, {
        component: HEALTH_COMPONENT,
        name: 'export consumer',
      });
  }

  async start(): Promise<void> {
    await runBatches(this.consumer, {
      topics: [this.options.queue.topics.jobs],
      fromBeginning: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const stillOurs = (): boolean =>
          !this.stopping && payload.isRunning() && !payload.isStale();
        const heartbeat = (): Promise<void> => payload.heartbeat();
        const activity = this.options.activity;
        activity?.fetched(
          batch.partition,
          batch.messages.map((m) => m.key?.toString() ?? ''),
        );
        try {
          for (const message of batch.messages) {
            if (!stillOurs()) return;
            const { topic, partition } = batch;
            const done = await this.handle({ topic, partition, message, stillOurs, heartbeat });
            if (!done) return;
            activity?.advanced(batch.partition);
            payload.resolveOffset(message.offset);
            await payload.commitOffsetsIfNecessary();
            await heartbeat();
          }
        } finally {
          activity?.left(batch.partition);
        }
      },
    });
  }

  /** Abandons the job in hand (it is redelivered later), commits, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.consumer.disconnect();
  }

  /** Runs `work` until it succeeds; undefined when the partition was lost or we stop. */
  private async untilDone<T>(
    what: string,
    work: () => Promise<T>,
    { stillOurs, heartbeat }: Place,
  ): Promise<{ value: T } | undefined> {
    for (let attempt = 1; ; attempt++) {
      if (!stillOurs()) return undefined;
      try {
        return { value: await work() };
      } catch (error) {
        const wait = backoffMs(INFRASTRUCTURE_RETRY, attempt);
        this.options.logger.warn(
          { err: error, attempt, retryInMs: wait },
          `${what} failed; retrying`,
        );
        if (!(await pause(wait, stillOurs, heartbeat))) return undefined;
      }
    }
  }

  private async park(
    place: Place,
    kind: ParkKind,
    reason: string,
    attempts: number,
    target: string,
  ): Promise<boolean> {
    const { message } = place;
    // a parked record is read by operators and tools: it never quotes credentials
    const why = redactText(reason);
    const parked = await this.untilDone(
      'parking a job',
      () =>
        this.options.queue.park([
          {
            key: message.key,
            value: message.value,
            headers: message.headers,
            kind,
            reason: why,
            attempts,
            source: { topic: place.topic, partition: place.partition, offset: message.offset },
            consumerGroup: this.options.groupId,
          },
        ]),
      place,
    );
    if (parked === undefined) return false;
    this.options.metrics.outcomes.inc({ target, outcome: 'parked' });
    this.options.activity?.parked(target, reason);
    this.options.logger.error(
      { target, kind, reason: why, attempts, partition: place.partition, offset: message.offset },
      'export job parked on the dead-letter topic',
    );
    return true;
  }

  /** Returns false when the job was abandoned (it will be redelivered). */
  private async handle(place: Place): Promise<boolean> {
    const decoded = decodeJob(place.message.value);
    if (!decoded.ok) return this.park(place, 'invalid-job', decoded.reason, 0, '');
    const job = decoded.job;
    const target = this.options.targets.get(job.target);
    if (target === undefined) {
      const reason = `no target named "${job.target}" is configured`;
      return this.park(place, 'unknown-target', reason, 0, job.target);
    }
    const interval = jobInterval(job);
    const computed = await this.untilDone(
      'computing export records',
      async () => {
        const [records] = await this.options.source.compute([interval]);
        if (records === undefined) throw new Error('no records computed');
        return records;
      },
      place,
    );
    if (computed === undefined) return false;
    const records = computed.value;
    const hash = recordsHash(records);
    const previous = await this.untilDone(
      'reading the delivery log',
      () => this.options.delivered.hashOf(job.target, interval.startMs),
      place,
    );
    if (previous === undefined) return false;
    if (previous.value === hash) {
      this.options.metrics.outcomes.inc({ target: job.target, outcome: 'unchanged' });
      this.options.activity?.unchanged(job.target);
      this.options.logger.debug({ job: job.id, target: job.target, hash }, 'already delivered');
      return true;
    }
    return this.deliver(place, job, target, records, hash);
  }

  private async deliver(
    place: Place,
    job: ExportJob,
    target: Target,
    records: IntervalRecords,
    hash: string,
  ): Promise<boolean> {
    const { metrics, logger, retry } = this.options;
    const completed = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      if (!place.stillOurs()) return false;
      const started = process.hrtime.bigint();
      try {
        await target.deliver(records, { hash, signal: this.abort.signal, completed });
      } catch (error) {
        if (this.stopping) return false;
        const failure = asDeliveryError(error);
        const last = !failure.retriable || attempt >= retry.maxAttempts;
        metrics.attempts.inc({ target: target.name, result: last ? 'failed' : 'retry' });
        if (last) {
          const kind = failure.retriable ? 'delivery-failed' : 'rejected';
          return this.park(place, kind, failure.message, attempt, target.name);
        }
        const wait = backoffMs(retry, attempt, failure.retryAfterMs);
        this.options.activity?.retrying(target.name, attempt, failure.message);
        logger.warn(
          {
            target: target.name,
            interval: job.intervalStart,
            attempt,
            retryInMs: wait,
            reason: failure.message,
          },
          'export delivery failed; retrying',
        );
        if (!(await pause(wait, place.stillOurs, place.heartbeat))) return false;
        continue;
      }
      metrics.attempts.inc({ target: target.name, result: 'ok' });
      metrics.deliverySeconds.observe(
        { target: target.name },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      const recorded = await this.untilDone(
        'recording a delivery',
        () => this.options.delivered.record(target.name, records.interval.startMs, hash),
        place,
      );
      if (recorded === undefined) return false;
      metrics.outcomes.inc({ target: target.name, outcome: 'delivered' });
      const end = Math.max(this.latest.get(target.name) ?? 0, records.interval.endMs);
      this.latest.set(target.name, end);
      metrics.lastDelivered.set({ target: target.name }, end / 1000);
      this.options.activity?.delivered(target.name, records.interval.endMs);
      logger.info(
        { target: target.name, interval: job.intervalStart, reason: job.reason, attempt, hash },
        'interval delivered',
      );
      return true;
    }
  }
}
