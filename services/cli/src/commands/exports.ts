import {
  checkKafkaSettings,
  ConfigError,
  contactCenterSettings,
  kafkaSettings,
} from '@wfm-stream/config';
import {
  ExportQueue,
  exportQueueSettings,
  MAX_REEXPORT_JOBS,
  type ParkedJob,
  reexportJobs,
  targetNamesSetting,
} from '@wfm-stream/export';
import { createKafka, createProducer } from '@wfm-stream/kafka';
import { createLogger } from '@wfm-stream/observability';
import { z } from 'zod';

import { KAFKA_ADDRESS, loadCommandConfig } from '../connection.js';
import { UsageError } from '../table/options.js';

const exportsConfigSchema = z
  .object({
    ...kafkaSettings,
    ...exportQueueSettings,
    TIMEZONE: contactCenterSettings.TIMEZONE,
    EXPORT_TARGETS: targetNamesSetting(),
  })
  .superRefine(checkKafkaSettings);
type ExportsConfig = z.output<typeof exportsConfigSchema>;

/** What `wfm-stream exports` is asked to do (services/cli/src/commands.ts reads the arguments). */
export type ExportsAction =
  | { readonly kind: 'parked' }
  | {
      readonly kind: 'redrive';
      readonly selection: { readonly all: true } | { readonly jobId: string };
    }
  | {
      readonly kind: 'reexport';
      readonly fromMs: number;
      readonly toMs: number;
      /** Target names, each maybe a comma-separated list; none: every target of EXPORT_TARGETS. */
      readonly targets: readonly string[];
    };

export interface ExportsIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly now?: () => number;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function parkedTable(jobs: readonly ParkedJob[]): string {
  return table([
    ['ID', 'TARGET', 'INTERVAL', 'ATTEMPTS', 'PARKED AT', 'REASON'],
    ...jobs.map((j) => [j.id, j.target, j.intervalStart, String(j.attempts), j.parkedAt, j.reason]),
  ]);
}

async function withQueue<T>(
  config: ExportsConfig,
  work: (queue: ExportQueue) => Promise<T>,
): Promise<T> {
  const kafka = createKafka(
    { ...config, KAFKA_CLIENT_ID: `${config.KAFKA_CLIENT_ID}-cli` },
    createLogger('exports', 'error'),
  );
  const producer = createProducer(kafka, { idempotent: config.KAFKA_IDEMPOTENT_PRODUCER });
  await producer.connect();
  try {
    return await work(
      new ExportQueue(kafka, producer, {
        jobs: config.TOPIC_EXPORT_JOBS,
        deadLetter: config.TOPIC_EXPORT_DEAD_LETTER,
      }),
    );
  } finally {
    await producer.disconnect();
  }
}

async function listParked(config: ExportsConfig, io: ExportsIo): Promise<number> {
  const jobs = await withQueue(config, (queue) => queue.parked());
  io.stdout.write(jobs.length === 0 ? 'no parked jobs\n' : parkedTable(jobs));
  return 0;
}

async function redrive(
  config: ExportsConfig,
  selection: { readonly all: true } | { readonly jobId: string },
  io: ExportsIo,
  nowMs: number,
): Promise<number> {
  const { stdout, stderr } = io;
  const result = await withQueue(config, (queue) => queue.redrive(selection, nowMs));
  if (result.notFound !== undefined) {
    stderr.write(`no parked job ${result.notFound} (never parked, or already re-driven)\n`);
    return 1;
  }
  for (const { parked, job } of result.redriven)
    stdout.write(
      `re-driven ${parked.id} (${parked.target} ${parked.intervalStart}) as ${job.id}\n`,
    );
  for (const { parked, reason } of result.skipped)
    stdout.write(`skipped ${parked.id}: ${reason}\n`);
  stdout.write(`${result.redriven.length} job(s) re-driven\n`);
  return 0;
}

async function reexport(
  config: ExportsConfig,
  range: { readonly fromMs: number; readonly toMs: number; readonly targets: readonly string[] },
  io: ExportsIo,
  nowMs: number,
): Promise<number> {
  const { fromMs, toMs } = range;
  const targets = (range.targets.length > 0 ? range.targets : config.EXPORT_TARGETS)
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (targets.length === 0)
    throw new UsageError('name a --target, or set EXPORT_TARGETS to re-export to every target');
  const jobs = reexportJobs({
    zone: config.TIMEZONE,
    stepMs: config.EXPORT_STEP,
    fromMs,
    toMs,
    targets,
    nowMs,
  });
  if (jobs === undefined)
    throw new UsageError(`that is more than ${MAX_REEXPORT_JOBS} jobs; re-export a shorter range`);
  if (jobs.length === 0)
    throw new UsageError(
      'no interval of that range has closed yet; the scheduler exports them as they close',
    );
  await withQueue(config, (queue) => queue.enqueue(jobs));
  const first = jobs[0]?.intervalStart ?? '';
  const last = jobs[jobs.length - 1]?.intervalStart ?? '';
  io.stdout.write(
    `enqueued ${jobs.length} job(s) for ${targets.join(', ')}: intervals ${first} to ${last}` +
      (toMs > nowMs ? ' (the intervals still open are left to the scheduler)' : '') +
      '\n',
  );
  return 0;
}

/**
 * `wfm-stream exports parked | redrive | reexport`: the operator's side of the export
 * queue (services/exporter/README.md). Exit code 0 on success, 1 when `redrive --job`
 * names no parked job, 2 for a configuration error (a UsageError for what the settings
 * make impossible), 3 when Kafka fails.
 */
export async function runExports(action: ExportsAction, io: ExportsIo): Promise<number> {
  let config: ExportsConfig;
  try {
    config = loadCommandConfig(exportsConfigSchema, io.env, [KAFKA_ADDRESS]).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 2;
  }
  const nowMs = (io.now ?? Date.now)();
  try {
    switch (action.kind) {
      case 'parked':
        return await listParked(config, io);
      case 'redrive':
        return await redrive(config, action.selection, io, nowMs);
      case 'reexport':
        return await reexport(config, action, io, nowMs);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    io.stderr.write(
      `exports ${action.kind} failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 3;
  }
}
