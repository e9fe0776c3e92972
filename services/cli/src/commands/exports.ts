import { parseArgs } from 'node:util';

import {
  checkKafkaSettings,
  ConfigError,
  contactCenterSettings,
  kafkaSettings,
  loadConfig,
} from '@wfm-stream/config';
import { parseOffsetInstant } from '@wfm-stream/core';
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

import { UsageError } from '../args.js';
import { withLocalStack } from '../connection.js';

export const EXPORTS_USAGE = `  exports parked              jobs parked on the export dead-letter topic: id, target, interval, attempts, reason
  exports redrive --all | --job ID
                              re-enqueue parked jobs (each parked job is re-driven at most once)
  exports reexport --from DATE-TIME --to DATE-TIME [--target NAME]…
                              enqueue export jobs for every closed interval overlapping [from, to)
                              (all targets of EXPORT_TARGETS unless --target is given)
`;

const exportsConfigSchema = z
  .object({
    ...kafkaSettings,
    ...exportQueueSettings,
    TIMEZONE: contactCenterSettings.TIMEZONE,
    EXPORT_TARGETS: targetNamesSetting(),
  })
  .superRefine(checkKafkaSettings);
type ExportsConfig = z.output<typeof exportsConfigSchema>;

export interface ExportsOptions {
  readonly args: readonly string[];
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

function instant(text: string | undefined, name: string): number {
  if (text === undefined) throw new UsageError(`exports reexport needs ${name}`);
  const parsed = parseOffsetInstant(text);
  if (parsed === undefined)
    throw new UsageError(
      `${name} must be a date-time with offset, e.g. 2026-03-29T00:00:00Z, not "${text}"`,
    );
  return parsed.ms;
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

/**
 * `wfm-stream exports parked | redrive | reexport`: the operator's side of the export
 * queue (services/exporter/README.md). Exit code 0 on success, 1 when `redrive --job`
 * names no parked job, 2 for a usage or configuration error, 3 when Kafka fails.
 */
export async function runExports(options: ExportsOptions): Promise<number> {
  const { stdout, stderr } = options;
  const [sub, ...rest] = options.args;
  let config: ExportsConfig;
  try {
    config = loadConfig(exportsConfigSchema, withLocalStack(options.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`${error.message}\n`);
    return 2;
  }
  const now = options.now ?? Date.now;
  try {
    switch (sub) {
      case 'parked': {
        parseArgs({ args: [...rest], options: {} });
        const jobs = await withQueue(config, (queue) => queue.parked());
        stdout.write(jobs.length === 0 ? 'no parked jobs\n' : parkedTable(jobs));
        return 0;
      }
      case 'redrive': {
        const { values } = parseArgs({
          args: [...rest],
          options: { all: { type: 'boolean', default: false }, job: { type: 'string' } },
        });
        if (values.all === (values.job !== undefined))
          throw new UsageError('exports redrive needs exactly one of --all and --job ID');
        const selection = values.job === undefined ? { all: true as const } : { jobId: values.job };
        const result = await withQueue(config, (queue) => queue.redrive(selection, now()));
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
      case 'reexport': {
        const { values } = parseArgs({
          args: [...rest],
          options: {
            from: { type: 'string' },
            to: { type: 'string' },
            target: { type: 'string', multiple: true },
          },
        });
        const fromMs = instant(values.from, '--from');
        const toMs = instant(values.to, '--to');
        if (toMs <= fromMs) throw new UsageError('--to must be after --from');
        const targets = (values.target ?? config.EXPORT_TARGETS)
          .flatMap((t) => t.split(','))
          .map((t) => t.trim())
          .filter((t) => t !== '');
        if (targets.length === 0)
          throw new UsageError(
            'name a --target, or set EXPORT_TARGETS to re-export to every target',
          );
        const nowMs = now();
        const jobs = reexportJobs({
          zone: config.TIMEZONE,
          stepMs: config.EXPORT_STEP,
          fromMs,
          toMs,
          targets,
          nowMs,
        });
        if (jobs === undefined)
          throw new UsageError(
            `that is more than ${MAX_REEXPORT_JOBS} jobs; re-export a shorter range`,
          );
        if (jobs.length === 0)
          throw new UsageError(
            'no interval of that range has closed yet; the scheduler exports them as they close',
          );
        await withQueue(config, (queue) => queue.enqueue(jobs));
        const first = jobs[0]?.intervalStart ?? '';
        const last = jobs[jobs.length - 1]?.intervalStart ?? '';
        stdout.write(
          `enqueued ${jobs.length} job(s) for ${targets.join(', ')}: intervals ${first} to ${last}` +
            (toMs > nowMs ? ' (the intervals still open are left to the scheduler)' : '') +
            '\n',
        );
        return 0;
      }
      default:
        throw new UsageError(
          sub === undefined ? 'exports needs a subcommand' : `unknown exports subcommand ${sub}`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) throw error;
    stderr.write(
      `exports ${sub ?? ''} failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 3;
  }
}
