import {
  decodeJob,
  encodeJob,
  type ExportJob,
  ExportQueue,
  newJob,
  type ParkRequest,
  readTopic,
} from '@wfm-stream/export';
import { createTopics, testKafka, testStack, uniqueName } from '@wfm-stream/testing';
import { Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type CliResult, runCli } from '../support/cli.js';

const kafka = testKafka();
const topics = {
  TOPIC_EXPORT_JOBS: uniqueName('export-jobs'),
  TOPIC_EXPORT_DEAD_LETTER: uniqueName('export-parked'),
};
const env = {
  KAFKA_BROKERS: testStack().kafkaBrokers.join(','),
  ...topics,
  EXPORT_STEP: '15m',
  TIMEZONE: 'UTC',
  // the command needs only the names; the credentials of real targets may be absent
  EXPORT_TARGETS: JSON.stringify([{ name: 'calabrio' }, { name: 'pipkins' }]),
};
const Q = 15 * 60_000;
const at = (iso: string): number => Date.parse(iso);
let producer: Producer;
let queue: ExportQueue;

const exportsCli = (...args: string[]): Promise<CliResult> => runCli(['exports', ...args], { env });

/** A job message as the exporter's worker consumed it, before it parks it. */
function consumed(job: ExportJob): Pick<ParkRequest, 'key' | 'value' | 'headers'> {
  const message = encodeJob(job);
  return { key: Buffer.from(message.key), value: message.value, headers: message.headers };
}

/** The jobs on the jobs topic, as `target interval reason`, with their re-drive origin. */
async function enqueued(): Promise<{ line: string; redriveOf?: string | undefined }[]> {
  const messages = await readTopic(kafka, topics.TOPIC_EXPORT_JOBS);
  return messages.map((m) => {
    const decoded = decodeJob(m.value);
    if (!decoded.ok) throw new Error(decoded.reason);
    const { job } = decoded;
    return { line: `${job.target} ${job.intervalStart} ${job.reason}`, redriveOf: job.redriveOf };
  });
}

beforeAll(async () => {
  await createTopics([
    { name: topics.TOPIC_EXPORT_JOBS, partitions: 2 },
    { name: topics.TOPIC_EXPORT_DEAD_LETTER, partitions: 1 },
  ]);
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  queue = new ExportQueue(kafka, producer, {
    jobs: topics.TOPIC_EXPORT_JOBS,
    deadLetter: topics.TOPIC_EXPORT_DEAD_LETTER,
  });
});

afterAll(async () => {
  await producer.disconnect();
});

describe('wfm-stream exports', () => {
  it('lists parked jobs, re-drives one or all, and re-exports closed intervals', async () => {
    // what the exporter parks: two jobs whose target was down, and a message that is no job
    const down = newJob(
      'pipkins',
      { startMs: at('2024-06-01T10:00:00Z'), endMs: at('2024-06-01T10:15:00Z') },
      'scheduled',
      at('2024-06-01T10:16:00Z'),
    );
    const refused = newJob(
      'calabrio',
      { startMs: at('2024-06-01T10:15:00Z'), endMs: at('2024-06-01T10:30:00Z') },
      'scheduled',
      at('2024-06-01T10:31:00Z'),
    );
    const source = { topic: topics.TOPIC_EXPORT_JOBS, partition: 0, offset: '7' };
    await queue.park([
      {
        ...consumed(down),
        kind: 'delivery-failed',
        reason: 'HTTP 503 after 8 attempts',
        attempts: 8,
        source,
        consumerGroup: 'wfm-exporter',
      },
      {
        ...consumed(refused),
        kind: 'rejected',
        reason: 'HTTP 400: bad interval',
        attempts: 1,
        source,
        consumerGroup: 'wfm-exporter',
      },
      {
        key: null,
        value: Buffer.from('not a job'),
        kind: 'invalid-job',
        reason: 'not JSON',
        attempts: 0,
        source,
        consumerGroup: 'wfm-exporter',
      },
    ]);

    const listed = await exportsCli('parked');
    expect(listed.code, listed.stderr).toBe(0);
    const rows = listed.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^ID\s+TARGET\s+INTERVAL\s+ATTEMPTS\s+PARKED AT\s+REASON$/);
    expect(rows).toHaveLength(4);
    expect(rows[1]).toMatch(
      new RegExp(
        `^${down.id}\\s+pipkins\\s+2024-06-01T10:00:00Z\\s+8\\s+\\S+\\s+HTTP 503 after 8 attempts$`,
      ),
    );
    expect(rows[2]).toMatch(
      new RegExp(`^${refused.id}\\s+calabrio\\s+2024-06-01T10:15:00Z\\s+1\\s+`),
    );
    expect(rows[3]).toContain('not JSON');

    // one job, by id: enqueued again, and no longer listed
    const one = await exportsCli('redrive', '--job', down.id);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`re-driven ${down.id} (pipkins 2024-06-01T10:00:00Z)`);
    expect(await enqueued()).toEqual([
      { line: 'pipkins 2024-06-01T10:00:00Z redrive', redriveOf: down.id },
    ]);
    expect((await exportsCli('parked')).stdout).not.toContain(down.id);
    // never twice
    const again = await exportsCli('redrive', '--job', down.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no parked job ${down.id}`);

    // all: the other job; what is not a job stays parked, and is said so
    const all = await exportsCli('redrive', '--all');
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain(`re-driven ${refused.id} (calabrio 2024-06-01T10:15:00Z)`);
    expect(all.stdout).toMatch(/skipped 0:2: not a job \(not JSON\)/);
    expect(all.stdout).toContain('1 job(s) re-driven');
    const afterAll = (await exportsCli('parked')).stdout.trim().split('\n');
    expect(afterAll).toHaveLength(2);

    // a range of the past, to one target: every interval overlapping it
    const range = await exportsCli(
      'reexport',
      '--from',
      '2024-06-01T10:05:00Z',
      '--to',
      '2024-06-01T11:00:00Z',
      '--target',
      'pipkins',
    );
    expect(range.code, range.stderr).toBe(0);
    expect(range.stdout).toContain('enqueued 4 job(s) for pipkins');
    const reexported = (await enqueued()).filter((j) => j.line.endsWith(' reexport'));
    expect(reexported.map((j) => j.line)).toEqual([
      'pipkins 2024-06-01T10:00:00Z reexport',
      'pipkins 2024-06-01T10:15:00Z reexport',
      'pipkins 2024-06-01T10:30:00Z reexport',
      'pipkins 2024-06-01T10:45:00Z reexport',
    ]);

    // a range reaching into the future: only what has closed, to every target
    const now = Date.now();
    const closedEnd = Math.floor(now / Q) * Q;
    const upToNow = await exportsCli(
      'reexport',
      '--from',
      new Date(closedEnd - 2 * Q).toISOString(),
      '--to',
      new Date(now + 86_400_000).toISOString(),
    );
    expect(upToNow.code, upToNow.stderr).toBe(0);
    // two closed intervals per target (three when a quarter hour struck during the run)
    expect(upToNow.stdout).toMatch(
      /enqueued [46] job\(s\) for calabrio, pipkins: .*left to the scheduler/,
    );

    const future = await exportsCli(
      'reexport',
      '--from',
      new Date(now + 86_400_000).toISOString(),
      '--to',
      new Date(now + 2 * 86_400_000).toISOString(),
    );
    expect(future.code).toBe(2);
    expect(future.stderr).toContain('no interval of that range has closed yet');
  });

  it('says what is wrong with its arguments', async () => {
    const neither = await exportsCli('redrive');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('exactly one of --all and --job ID');
    for (const [from, to, problem] of [
      ['yesterday', '2024-06-02T00:00:00Z', '--from must be a date-time with offset'],
      ['2024-06-02T00:00:00Z', '2024-06-01T00:00:00Z', '--to must be after --from'],
    ] as const) {
      const refused = await exportsCli('reexport', '--from', from, '--to', to);
      expect(refused.code, problem).toBe(2);
      expect(refused.stderr).toContain(problem);
    }
    const badStep = await runCli(['exports', 'parked'], { env: { ...env, EXPORT_STEP: '7m' } });
    expect(badStep.code).toBe(2);
    expect(badStep.stderr).toContain(
      'EXPORT_STEP must be a whole number of minutes that divides a day',
    );
  });
});
