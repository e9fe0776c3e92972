import fs from 'node:fs';
import readline from 'node:readline';

import { topicOf, validateEvent, type WfmEvent } from '@wfm-stream/schemas';

import { connectPublishingOrExit, type Publishing } from '../connection.js';
import { Pacer } from '../pacer.js';
import { Progress, rate } from '../progress.js';

export interface PublishOptions {
  /** A file path, or `-` for standard input. */
  readonly input: string;
  /** Events per second; unset: as fast as the broker takes them. */
  readonly rate?: number | undefined;
  readonly batchSize: number;
  /** Validate only; publish nothing. */
  readonly check: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
}

const MAX_REPORTED_ERRORS = 50;

/**
 * `wfm-stream publish`: NDJSON events, one per line, to their topics with their keys.
 * Lines that are not valid events are reported by line number and not published; the
 * valid ones are. Exit code 0 when every line was valid, 1 when some were not, 2 for a
 * usage or configuration error, 3 when Kafka refused the events.
 */
export async function runPublish(options: PublishOptions): Promise<number> {
  const { stdout, stderr } = options;
  let input: NodeJS.ReadableStream;
  let totalBytes: number | undefined;
  if (options.input === '-') {
    input = options.stdin;
  } else {
    try {
      totalBytes = fs.statSync(options.input).size;
    } catch {
      stderr.write(`cannot read ${options.input}: no such file\n`);
      return 2;
    }
    input = fs.createReadStream(options.input);
  }

  let publishing: Publishing | undefined;
  if (!options.check) {
    const connected = await connectPublishingOrExit(options.env, 'publish', stderr);
    if (typeof connected === 'number') return connected;
    publishing = connected;
  }

  const batchSize =
    options.rate === undefined
      ? options.batchSize
      : Math.max(1, Math.min(options.batchSize, Math.ceil(options.rate / 10)));
  const pacer = new Pacer(options.rate);
  const progress = new Progress(stderr);
  const perTopic = new Map<string, number>();
  let lineNumber = 0;
  let bytesRead = 0;
  let valid = 0;
  let invalid = 0;
  let published = 0;
  let batch: WfmEvent[] = [];

  const flush = async (): Promise<void> => {
    if (batch.length === 0 || publishing === undefined) {
      batch = [];
      return;
    }
    const events = batch;
    batch = [];
    await pacer.take(events.length);
    await publishing.publisher.publish(events);
    published += events.length;
    for (const event of events) {
      const topic = topicOf(event, publishing.topics);
      perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
    }
  };
  const report = (force = false): void => {
    progress.update((elapsed) => {
      const share =
        totalBytes === undefined || totalBytes === 0
          ? ''
          : ` (${Math.floor((bytesRead * 100) / totalBytes)}%)`;
      return options.check
        ? `checked ${lineNumber} lines${share}`
        : `published ${published} events${share}, ${rate(published, elapsed)}`;
    }, force);
  };

  try {
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    for await (const line of lines) {
      lineNumber++;
      bytesRead += Buffer.byteLength(line) + 1;
      if (line.trim() === '') continue;
      let parsed: unknown;
      let reason: string | undefined;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        reason = `not JSON (${error instanceof Error ? error.message : String(error)})`;
      }
      if (reason === undefined) {
        const result = validateEvent(parsed);
        if (result.ok) {
          valid++;
          batch.push(result.event);
          if (batch.length >= batchSize) await flush();
        } else {
          reason = result.reason;
        }
      }
      if (reason !== undefined) {
        invalid++;
        if (invalid <= MAX_REPORTED_ERRORS) {
          progress.finish();
          stderr.write(`line ${lineNumber}: ${reason}\n`);
        }
      }
      report();
    }
    await flush();
  } catch (error) {
    progress.finish();
    stderr.write(
      `could not publish: ${error instanceof Error ? error.message : String(error)}; ${published} events were published before the failure\n`,
    );
    await publishing?.close().catch(() => undefined);
    return 3;
  }
  report(true);
  progress.finish();
  await publishing?.close();

  if (invalid > MAX_REPORTED_ERRORS)
    stderr.write(`… and ${invalid - MAX_REPORTED_ERRORS} more invalid lines\n`);
  const invalidNote =
    invalid === 0 ? '' : `; ${invalid} invalid line${invalid === 1 ? '' : 's'} not published`;
  if (options.check) {
    stdout.write(`checked ${valid + invalid} events: ${valid} valid, ${invalid} invalid\n`);
  } else {
    const topics = [...perTopic].map(([topic, n]) => `${topic} ${n}`).join(', ');
    stdout.write(
      `published ${published} events (${publishing?.encoding ?? 'json'})${topics === '' ? '' : ` to ${topics}`}${invalidNote}\n`,
    );
  }
  return invalid === 0 ? 0 : 1;
}
