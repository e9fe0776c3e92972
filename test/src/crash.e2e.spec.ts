import path from 'node:path';

import {
  aggregatorConfigSchema,
  type RunningAggregator,
  startAggregator,
} from '@wfm-stream/aggregator';
import { REPO_DIR } from '@wfm-stream/cli';
import { loadConfig } from '@wfm-stream/config';
import { freePort, type ManagedProcess, spawnManaged } from '@wfm-stream/local-stack';
import { silentLogger } from '@wfm-stream/observability';
import { readerConfigSchema, startReader } from '@wfm-stream/reader';
import {
  createTopics,
  redisNamespace,
  testKafka,
  testStack,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
} from '@wfm-stream/testing';
import { afterAll, describe, expect, it } from 'vitest';

import { allAnswers } from './support/answers.js';
import { committedByTopic, endsByTopic, metricTotal, sumOf } from './support/metrics.js';
import { publishEvents } from './support/publish.js';
import { random, syntheticTraffic } from './support/traffic.js';

const AGGREGATOR = path.join(REPO_DIR, 'services', 'aggregator', 'dist', 'main.js');
const stack = testStack();
const reference = redisNamespace();
const crashed = redisNamespace();
const topics = {
  TOPIC_DIRECTORY: uniqueName('directory'),
  TOPIC_CONTACT_EVENTS: uniqueName('contacts'),
  TOPIC_AGENT_EVENTS: uniqueName('agents'),
  TOPIC_DEAD_LETTER: uniqueName('dlq'),
};
const base = {
  ...topics,
  KAFKA_BROKERS: stack.kafkaBrokers.join(','),
  REDIS_URL: stack.redisUrl,
  HTTP_HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  PARTITIONS_CONSUMED_CONCURRENTLY: '2',
  CONSUMER_SESSION_TIMEOUT: '6s',
};
const running: ManagedProcess[] = [];

afterAll(async () => {
  for (const p of running) await p.stop({ signal: 'SIGKILL' });
  await reference.cleanup();
  await crashed.cleanup();
});

async function startProcess(
  groupId: string,
  prefix: string,
): Promise<{ proc: ManagedProcess; url: string }> {
  const port = await freePort();
  const proc = spawnManaged('aggregator', process.execPath, [AGGREGATOR], {
    env: {
      ...process.env,
      ...base,
      CONSUMER_GROUP: groupId,
      REDIS_KEY_PREFIX: prefix,
      HTTP_PORT: String(port),
    },
  });
  running.push(proc);
  return { proc, url: `http://127.0.0.1:${port}` };
}

describe('an aggregator killed mid-stream', () => {
  it('converges, after restarts, to the answers of an uninterrupted run', async () => {
    await createTopics([
      { name: topics.TOPIC_DIRECTORY, partitions: 1 },
      { name: topics.TOPIC_CONTACT_EVENTS, partitions: 3 },
      { name: topics.TOPIC_AGENT_EVENTS, partitions: 3 },
      { name: topics.TOPIC_DEAD_LETTER, partitions: 1 },
    ]);
    const traffic = syntheticTraffic({ seed: 7, contacts: 6_000, groups: 12, agents: 30 });
    await publishEvents(testKafka(), topics.TOPIC_DIRECTORY, traffic.directory);
    await publishEvents(testKafka(), topics.TOPIC_CONTACT_EVENTS, traffic.contacts);
    await publishEvents(testKafka(), topics.TOPIC_AGENT_EVENTS, traffic.agents);
    const streams = [
      topics.TOPIC_DIRECTORY,
      topics.TOPIC_CONTACT_EVENTS,
      topics.TOPIC_AGENT_EVENTS,
    ];

    // the uninterrupted run, in process
    const referenceGroup = uniqueName('reference');
    const uninterrupted: RunningAggregator = await startAggregator(
      loadConfig(aggregatorConfigSchema, {
        ...base,
        CONSUMER_GROUP: referenceGroup,
        REDIS_KEY_PREFIX: reference.prefix,
        HTTP_PORT: '0',
      }),
      silentLogger(),
    );

    // the crashing run: killed with SIGKILL mid-work, then restarted. Each life is killed
    // once it has processed a random share of the events (below a quarter of them), so the
    // kills land mid-stream whatever the speed of the machine.
    const admin = testKafka().admin();
    await admin.connect();
    const total = sumOf(await endsByTopic(admin, streams));
    const crashGroup = uniqueName('crashing');
    const rnd = random(11);
    const kills = 3;
    for (let k = 0; k < kills; k++) {
      const { proc, url } = await startProcess(crashGroup, crashed.prefix);
      await waitFor(
        async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true,
        {
          timeoutMs: 30_000,
          message: 'the aggregator to join its group',
        },
      );
      const share = Math.floor(total * (0.05 + rnd() * 0.2));
      await waitFor(async () => (await metricTotal(url, 'wfm_events_consumed_total')) >= share, {
        timeoutMs: 60_000,
        intervalMs: 5,
        message: `the aggregator to process ${share} events`,
      });
      await proc.stop({ signal: 'SIGKILL' });
    }
    // the kills landed mid-stream: some state was written, but not all of it was committed
    const committed = sumOf(await committedByTopic(admin, crashGroup, streams));
    await admin.disconnect();
    expect(committed).toBeLessThan(total);
    expect((await crashed.keys(`${crashed.prefix}:*`)).length).toBeGreaterThan(0);

    const { proc: last } = await startProcess(crashGroup, crashed.prefix);

    await waitForGroupCaughtUp(referenceGroup, streams, { timeoutMs: 90_000 });
    await waitForGroupCaughtUp(crashGroup, streams, { timeoutMs: 90_000 });
    await uninterrupted.stop();
    expect((await last.stop()).code).toBe(0);

    const headers = { 'x-api-key': 'k' };
    const answersOf = async (prefix: string): Promise<Record<string, unknown>> => {
      const reader = await startReader(
        loadConfig(readerConfigSchema, {
          REDIS_URL: stack.redisUrl,
          REDIS_KEY_PREFIX: prefix,
          READER_API_KEYS: 'k',
          HTTP_PORT: '0',
          HTTP_HOST: '127.0.0.1',
          LOG_LEVEL: 'silent',
        }),
        silentLogger(),
      );
      try {
        return await allAnswers(reader.app, headers, {
          groupIds: traffic.groupIds,
          agentIds: traffic.agentIds,
          startDate: '2024-01-08T00:00:00Z',
          endDate: '2024-01-10T00:00:00Z',
        });
      } finally {
        await reader.stop();
      }
    };
    const expected = await answersOf(reference.prefix);
    const actual = await answersOf(crashed.prefix);
    for (const [url, answer] of Object.entries(expected)) {
      expect((answer as { status: number }).status, url).toBe(200);
      expect(actual[url], url).toEqual(answer);
    }
  });
});
