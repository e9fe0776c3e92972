import { formatInstant } from '@wfm-stream/core';
import type { KafkaProducer } from '@wfm-stream/kafka';
import type { IHeaders, Kafka, Message } from 'kafkajs';

import { decodeJob, encodeJob, type ExportJob, JOB_HEADERS, jobInterval, newJob } from './job.js';
import { headerText, type ReadMessage, readTopic } from './topic-reader.js';

/**
 * The export queue on Kafka: the jobs topic (TOPIC_EXPORT_JOBS), and the dead-letter
 * topic (TOPIC_EXPORT_DEAD_LETTER) where jobs are parked after their last attempt. Both
 * the exporter and the `wfm-stream exports` command work through this class.
 */
export interface ExportTopics {
  readonly jobs: string;
  readonly deadLetter: string;
}

/** Headers of a parked job (the same scheme as the event dead-letter topic). */
export const PARK_HEADERS = {
  reason: 'wfm.dlq.reason',
  kind: 'wfm.dlq.kind',
  attempts: 'wfm.dlq.attempts',
  topic: 'wfm.dlq.topic',
  partition: 'wfm.dlq.partition',
  offset: 'wfm.dlq.offset',
  consumerGroup: 'wfm.dlq.consumer-group',
  parkedAt: 'wfm.dlq.rejected-at',
  /** On a re-drive marker: the id of the parked job that was re-driven. */
  redriveOf: 'wfm.export.redrive-of',
  /** On a re-drive marker: the id of the job that re-drives it. */
  redrivenAs: 'wfm.export.redriven-as',
} as const;

/** Why a job was parked. */
export type ParkKind = 'delivery-failed' | 'rejected' | 'invalid-job' | 'unknown-target';

export interface ParkRequest {
  /** The job message as consumed. */
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders | undefined;
  readonly kind: ParkKind;
  readonly reason: string;
  readonly attempts: number;
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string };
  readonly consumerGroup: string;
}

/** A parked job as `wfm-stream exports parked` lists it. */
export interface ParkedJob {
  /** The job's id, or `<partition>:<offset>` in the dead-letter topic when it was not a job. */
  readonly id: string;
  readonly target: string;
  readonly intervalStart: string;
  readonly attempts: number;
  readonly kind: string;
  readonly reason: string;
  readonly parkedAt: string;
  readonly job?: ExportJob | undefined;
  readonly partition: number;
  readonly offset: string;
}

export type RedriveSelection = { readonly all: true } | { readonly jobId: string };

export interface RedriveResult {
  /** The parked jobs re-driven, with the ids of the jobs that re-drive them. */
  readonly redriven: readonly { readonly parked: ParkedJob; readonly job: ExportJob }[];
  /** Parked entries that cannot be re-driven (not a job), with why. */
  readonly skipped: readonly { readonly parked: ParkedJob; readonly reason: string }[];
  /** The asked-for id is not a parked job (never parked, or already re-driven). */
  readonly notFound?: string | undefined;
}

const SEND_CHUNK = 500;

function parkedEntry(message: ReadMessage): ParkedJob {
  const decoded = decodeJob(message.value);
  const h = message.headers;
  const job = decoded.ok ? decoded.job : undefined;
  return {
    id: job?.id ?? `${message.partition}:${message.offset}`,
    target: job?.target ?? headerText(h, JOB_HEADERS.target) ?? '',
    intervalStart: job?.intervalStart ?? headerText(h, JOB_HEADERS.intervalStart) ?? '',
    attempts: Number(headerText(h, PARK_HEADERS.attempts) ?? '0'),
    kind: headerText(h, PARK_HEADERS.kind) ?? '',
    reason: headerText(h, PARK_HEADERS.reason) ?? '',
    parkedAt: headerText(h, PARK_HEADERS.parkedAt) ?? formatInstant(message.timestampMs),
    job,
    partition: message.partition,
    offset: message.offset,
  };
}

export class ExportQueue {
  constructor(
    private readonly kafka: Kafka,
    private readonly producer: KafkaProducer,
    readonly topics: ExportTopics,
  ) {}

  /** Sends jobs to the jobs topic, keyed by target; resolves when the broker has them all. */
  async enqueue(jobs: readonly ExportJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += SEND_CHUNK) {
      const messages: Message[] = jobs.slice(i, i + SEND_CHUNK).map(encodeJob);
      await this.producer.send({ topic: this.topics.jobs, acks: -1, messages });
    }
  }

  /** Parks jobs on the dead-letter topic with why, how many attempts, and where they came from. */
  async park(requests: readonly ParkRequest[], nowMs = Date.now()): Promise<void> {
    if (requests.length === 0) return;
    const parkedAt = formatInstant(nowMs);
    await this.producer.send({
      topic: this.topics.deadLetter,
      acks: -1,
      messages: requests.map((r) => ({
        key: r.key,
        value: r.value,
        headers: {
          ...(r.headers ?? {}),
          [PARK_HEADERS.reason]: r.reason,
          [PARK_HEADERS.kind]: r.kind,
          [PARK_HEADERS.attempts]: String(r.attempts),
          [PARK_HEADERS.topic]: r.source.topic,
          [PARK_HEADERS.partition]: String(r.source.partition),
          [PARK_HEADERS.offset]: r.source.offset,
          [PARK_HEADERS.consumerGroup]: r.consumerGroup,
          [PARK_HEADERS.parkedAt]: parkedAt,
        },
      })),
    });
  }

  /**
   * The parked jobs not yet re-driven, oldest first. Reads the dead-letter topic from its
   * start: parked jobs, and the markers re-drives leave behind.
   */
  async parked(options: { timeoutMs?: number } = {}): Promise<ParkedJob[]> {
    const messages = await readTopic(this.kafka, this.topics.deadLetter, options);
    const redriven = new Set<string>();
    const entries: ParkedJob[] = [];
    for (const message of messages) {
      const of = headerText(message.headers, PARK_HEADERS.redriveOf);
      if (of !== undefined) redriven.add(of);
      else entries.push(parkedEntry(message));
    }
    return entries.filter((e) => !redriven.has(e.id));
  }

  /**
   * Re-enqueues parked jobs (all, or one by id) as new jobs with reason `redrive`, then
   * leaves a marker for each on the dead-letter topic so it is never re-driven again.
   * A crash between the two re-drives a job twice at worst, which the exporter absorbs:
   * it never delivers the same content of an interval to a target twice.
   */
  async redrive(selection: RedriveSelection, nowMs = Date.now()): Promise<RedriveResult> {
    const parked = await this.parked();
    const chosen = 'all' in selection ? parked : parked.filter((p) => p.id === selection.jobId);
    if (chosen.length === 0 && 'jobId' in selection) {
      return { redriven: [], skipped: [], notFound: selection.jobId };
    }
    const redriven: { parked: ParkedJob; job: ExportJob }[] = [];
    const skipped: { parked: ParkedJob; reason: string }[] = [];
    for (const entry of chosen) {
      if (entry.job === undefined) {
        skipped.push({ parked: entry, reason: `not a job (${entry.reason})` });
        continue;
      }
      redriven.push({
        parked: entry,
        job: newJob(entry.job.target, jobInterval(entry.job), 'redrive', nowMs, entry.id),
      });
    }
    await this.enqueue(redriven.map((r) => r.job));
    if (redriven.length > 0) {
      await this.producer.send({
        topic: this.topics.deadLetter,
        acks: -1,
        messages: redriven.map(({ parked: p, job }) => ({
          key: p.id,
          value: Buffer.from(
            JSON.stringify({ redriveOf: p.id, redrivenAs: job.id, at: formatInstant(nowMs) }),
          ),
          headers: { [PARK_HEADERS.redriveOf]: p.id, [PARK_HEADERS.redrivenAs]: job.id },
        })),
      });
    }
    return { redriven, skipped };
  }
}
