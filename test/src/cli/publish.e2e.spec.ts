import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { EVENT_DEFINITIONS, EVENT_EXAMPLES, messageKey } from '@wfm-stream/schemas';
import { createTopics, testKafka, testStack, uniqueName, waitFor } from '@wfm-stream/testing';
import type { KafkaMessage } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';

import { type CliResult, runCli } from '../support/cli.js';

const stack = testStack();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-publish-'));
const kafka = testKafka();

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Topics {
  readonly TOPIC_DIRECTORY: string;
  readonly TOPIC_CONTACT_EVENTS: string;
  readonly TOPIC_AGENT_EVENTS: string;
}

async function topicsFor(): Promise<Topics> {
  const topics = {
    TOPIC_DIRECTORY: uniqueName('directory'),
    TOPIC_CONTACT_EVENTS: uniqueName('contacts'),
    TOPIC_AGENT_EVENTS: uniqueName('agents'),
  };
  await createTopics(
    [topics.TOPIC_DIRECTORY, topics.TOPIC_CONTACT_EVENTS, topics.TOPIC_AGENT_EVENTS].map(
      (name) => ({ name, partitions: 2 }),
    ),
  );
  return topics;
}

function run(
  args: string[],
  env: Readonly<Record<string, string>> | Topics,
  stdin?: string,
): Promise<CliResult> {
  return runCli(args, { env: { KAFKA_BROKERS: stack.kafkaBrokers.join(','), ...env }, stdin });
}

async function consume(topics: string[], count: number): Promise<Map<string, KafkaMessage[]>> {
  const consumer = kafka.consumer({ groupId: uniqueName('check'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const byTopic = new Map<string, KafkaMessage[]>();
  let total = 0;
  await consumer.run({
    eachMessage: ({ topic, message }) => {
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
      total++;
      return Promise.resolve();
    },
  });
  await waitFor(() => total >= count, { message: `${count} messages` });
  await consumer.disconnect();
  return byTopic;
}

const examples = EVENT_DEFINITIONS.map((d) => EVENT_EXAMPLES[d.type]);

describe('wfm-stream publish', () => {
  it('publishes each event to its topic with its key, and reports bad lines by number', async () => {
    const topics = await topicsFor();
    const lines = examples.map((e) => JSON.stringify(e));
    lines.splice(2, 0, '{"eventId": "broken"');
    lines.splice(5, 0, JSON.stringify({ ...EVENT_EXAMPLES['contact.ended'], outcome: 'LOST' }));
    lines.splice(7, 0, '');
    const file = path.join(dir, 'events.ndjson');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);

    const result = await run(['publish', file], topics);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 3: not JSON');
    expect(result.stderr).toContain('line 6: contact.ended: outcome must be one of');
    expect(result.stdout).toContain(`published ${examples.length} events (json)`);
    expect(result.stdout).toContain('2 invalid lines not published');

    const received = await consume(
      [topics.TOPIC_DIRECTORY, topics.TOPIC_CONTACT_EVENTS, topics.TOPIC_AGENT_EVENTS],
      examples.length,
    );
    const where = new Map<string, [string, string]>();
    for (const [topic, messages] of received) {
      for (const m of messages) {
        const event = JSON.parse(m.value?.toString() ?? '{}') as { eventId: string };
        where.set(event.eventId, [topic, m.key?.toString() ?? '']);
      }
    }
    for (const event of examples) {
      const stream = EVENT_DEFINITIONS.find((d) => d.type === event.type)?.stream;
      const topic = {
        directory: topics.TOPIC_DIRECTORY,
        contacts: topics.TOPIC_CONTACT_EVENTS,
        agents: topics.TOPIC_AGENT_EVENTS,
      }[stream ?? 'contacts'];
      expect(where.get(event.eventId)).toEqual([topic, messageKey(event)]);
    }
  });

  it('reads standard input, and --check publishes nothing', async () => {
    const topics = await topicsFor();
    const input = examples.map((e) => JSON.stringify(e)).join('\n');
    const checked = await run(['publish', '--check'], topics, input);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toBe(
      `checked ${examples.length} events: ${examples.length} valid, 0 invalid\n`,
    );
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topics.TOPIC_CONTACT_EVENTS);
    await admin.disconnect();
    expect(offsets.every((o) => o.high === '0')).toBe(true);

    const published = await run(['publish', '-', '--rate', '200'], topics, input);
    expect(published.code).toBe(0);
    expect(published.stdout).toContain(`published ${examples.length} events`);
  });

  it('says what is wrong with its arguments and configuration', async () => {
    expect((await run(['publish', path.join(dir, 'missing.ndjson')], {})).stderr).toContain(
      'no such file',
    );
    const badRate = await run(['publish', '--rate', 'fast'], {});
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toContain('--rate must be a whole number');
    const badSasl = await run(['publish', '-'], { KAFKA_SASL_MECHANISM: 'plain' }, '');
    expect(badSasl.code).toBe(2);
    expect(badSasl.stderr).toContain(
      'KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set',
    );
  });
});

describe('wfm-stream', () => {
  it('is what `npx wfm-stream` runs, and lists its commands', async () => {
    const help = await run(['help'], {});
    expect(help.code).toBe(0);
    for (const command of ['start', 'publish', 'simulate', 'replay', 'rebuild', 'exports'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    // after a command, --help prints that command's usage, as `help <command>` does
    const commandHelp = await run(['simulate', '--speed', 'max', '--help'], {});
    const simulateHelp = await run(['help', 'simulate'], {});
    expect(commandHelp).toMatchObject({ code: 0, stdout: simulateHelp.stdout });
    expect(commandHelp.stdout).toMatch(/^wfm-stream simulate \[options\]$/m);
    expect(commandHelp.stdout).toContain('--catch-up');
  });
});
