import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { validateEvent } from '@wfm-stream/schemas';
import { createTopics, testKafka, testStack, uniqueName, waitFor } from '@wfm-stream/testing';
import { afterAll, describe, expect, it } from 'vitest';

import { type CliResult, runCli } from '../support/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-traffic-'));

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { env });
}

function lines(text: string): unknown[] {
  return text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

describe('wfm-stream simulate', () => {
  it('writes a deterministic, valid day of events as NDJSON', async () => {
    const args = [
      'simulate',
      '--start',
      '2024-01-08',
      '--duration',
      '1d',
      '--speed',
      'max',
      '--output',
      '-',
    ];
    const first = await run(args);
    const second = await run(args);
    expect(first.code).toBe(0);
    const events = lines(first.stdout);
    expect(events.length).toBeGreaterThan(10_000);
    expect(second.stdout).toBe(first.stdout);
    for (const e of events) expect(validateEvent(e).ok).toBe(true);
    expect(first.stderr).toMatch(/events to standard output/);
  });

  it('publishes to Kafka and says where', async () => {
    const stack = testStack();
    const topics = {
      TOPIC_DIRECTORY: uniqueName('directory'),
      TOPIC_CONTACT_EVENTS: uniqueName('contacts'),
      TOPIC_AGENT_EVENTS: uniqueName('agents'),
    };
    await createTopics(Object.values(topics).map((name) => ({ name, partitions: 2 })));
    const result = await run(
      [
        'simulate',
        '--start',
        '2024-01-08T08:00:00Z',
        '--duration',
        '30m',
        '--speed',
        'max',
        '--seed',
        '3',
      ],
      {
        KAFKA_BROKERS: stack.kafkaBrokers.join(','),
        ...topics,
      },
    );
    expect(result.code).toBe(0);
    const count = Number(/^(\d+) events to Kafka \(json\)/m.exec(result.stderr)?.[1]);
    expect(count).toBeGreaterThan(100);
    const admin = testKafka().admin();
    await admin.connect();
    const total = async (): Promise<number> => {
      let n = 0;
      for (const topic of Object.values(topics))
        for (const p of await admin.fetchTopicOffsets(topic)) n += Number(p.high);
      return n;
    };
    expect(await waitFor(async () => (await total()) === count && count)).toBe(count);
    await admin.disconnect();
  });

  it('refuses arguments it cannot use', async () => {
    const bad = await run(['simulate', '--speed', 'warp']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--speed must be realtime, max or a positive factor');
  });
});

describe('wfm-stream replay', () => {
  it('writes a day of the real call log, rebased', async () => {
    const file = path.join(dir, 'day.ndjson');
    const result = await run([
      'replay',
      '--from',
      '1999-02-01',
      '--to',
      '1999-02-01',
      '--rebase',
      '2024-07-01',
      '--speed',
      'max',
      '--output',
      file,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^replaying 1 days, \d+ contacts/m);
    const events = lines(fs.readFileSync(file, 'utf8')) as { occurredAt: string; type: string }[];
    expect(events.filter((e) => e.type === 'contact.offered').length).toBeGreaterThan(1_000);
    expect(events.find((e) => e.type === 'contact.offered')?.occurredAt).toMatch(
      /^2024-07-01T0\d:\d{2}:\d{2}\+03:00$/,
    );
  });
});
