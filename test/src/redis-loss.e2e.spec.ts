import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  aggregatorConfigSchema,
  type RunningAggregator,
  startAggregator,
} from '@wfm-stream/aggregator';
import { REPO_DIR } from '@wfm-stream/cli';
import { loadConfig } from '@wfm-stream/config';
import {
  freePort,
  type ManagedProcess,
  type RedisServer,
  spawnManaged,
  startRedis,
} from '@wfm-stream/local-stack';
import { silentLogger } from '@wfm-stream/observability';
import { readerConfigSchema, startReader } from '@wfm-stream/reader';
import { GenerationPointer, INITIAL_GENERATION, Keys } from '@wfm-stream/store';
import {
  createTopics,
  redisNamespace,
  testKafka,
  testStack,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
} from '@wfm-stream/testing';
import { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { allAnswers } from './support/answers.js';
import { endsByTopic, metricTotal, sumOf } from './support/metrics.js';
import { publishEvents } from './support/publish.js';
import { syntheticTraffic, type Traffic } from './support/traffic.js';

/**
 * docs/architecture.md, "When Redis loses data": a Redis that loses what the aggregator
 * wrote (emptied, or restarted without persistence) mid-stream is noticed, counted and
 * logged, the partitions are consumed again from what Redis still holds, and once caught
 * up every answer equals that of an undisturbed run. Each disturbed run has a
 * redis-server of its own: the one the other tests share is never emptied.
 */

const AGGREGATOR = path.join(REPO_DIR, 'services', 'aggregator', 'dist', 'main.js');
const stack = testStack();
const reference = redisNamespace();
const topics = {
  TOPIC_DIRECTORY: uniqueName('directory'),
  TOPIC_CONTACT_EVENTS: uniqueName('contacts'),
  TOPIC_AGENT_EVENTS: uniqueName('agents'),
  TOPIC_DEAD_LETTER: uniqueName('dlq'),
};
const streams = [topics.TOPIC_DIRECTORY, topics.TOPIC_CONTACT_EVENTS, topics.TOPIC_AGENT_EVENTS];
const base = {
  ...topics,
  KAFKA_BROKERS: stack.kafkaBrokers.join(','),
  HTTP_HOST: '127.0.0.1',
  PARTITIONS_CONSUMED_CONCURRENTLY: '2',
  CONSUMER_SESSION_TIMEOUT: '6s',
};
const PREFIX = 'wfm';
const headers = { 'x-api-key': 'k' };
const period = { startDate: '2024-01-08T00:00:00Z', endDate: '2024-01-10T00:00:00Z' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-redis-loss-'));

let traffic: Traffic;
let total = 0;
let admin: Admin;
let expected: Record<string, { status: number; body: unknown }>;
let uninterrupted: RunningAggregator | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

async function answersOf(
  redisUrl: string,
  prefix: string,
): Promise<Record<string, { status: number; body: unknown }>> {
  const reader = await startReader(
    loadConfig(readerConfigSchema, {
      REDIS_URL: redisUrl,
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
      ...period,
    });
  } finally {
    await reader.stop();
  }
}

beforeAll(async () => {
  await createTopics([
    { name: topics.TOPIC_DIRECTORY, partitions: 1 },
    { name: topics.TOPIC_CONTACT_EVENTS, partitions: 3 },
    { name: topics.TOPIC_AGENT_EVENTS, partitions: 3 },
    { name: topics.TOPIC_DEAD_LETTER, partitions: 1 },
  ]);
  traffic = syntheticTraffic({ seed: 23, contacts: 3_000, groups: 9, agents: 24 });
  await publishEvents(testKafka(), topics.TOPIC_DIRECTORY, traffic.directory);
  await publishEvents(testKafka(), topics.TOPIC_CONTACT_EVENTS, traffic.contacts);
  await publishEvents(testKafka(), topics.TOPIC_AGENT_EVENTS, traffic.agents);
  admin = testKafka().admin();
  await admin.connect();
  total = sumOf(await endsByTopic(admin, streams));

  // the undisturbed run, in process, on the shared Redis under a prefix of its own
  const referenceGroup = uniqueName('reference');
  uninterrupted = await startAggregator(
    loadConfig(aggregatorConfigSchema, {
      ...base,
      REDIS_URL: stack.redisUrl,
      CONSUMER_GROUP: referenceGroup,
      REDIS_KEY_PREFIX: reference.prefix,
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    }),
    silentLogger(),
  );
  await waitForGroupCaughtUp(referenceGroup, streams, { timeoutMs: 90_000 });
  await uninterrupted.stop();
  uninterrupted = undefined;
  expected = await answersOf(stack.redisUrl, reference.prefix);
  for (const [url, answer] of Object.entries(expected)) expect(answer.status, url).toBe(200);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await uninterrupted?.stop();
  await admin.disconnect();
  await reference.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Disturbed {
  readonly proc: ManagedProcess;
  readonly url: string;
  readonly group: string;
  readonly logFile: string;
}

/** The aggregator as a process, on the test's own Redis. */
async function startDisturbed(redisUrl: string, group: string): Promise<Disturbed> {
  const port = await freePort();
  const logFile = path.join(dir, `${group}-${port}.log`);
  const proc = spawnManaged('aggregator', process.execPath, [AGGREGATOR], {
    env: {
      ...process.env,
      ...base,
      REDIS_URL: redisUrl,
      CONSUMER_GROUP: group,
      REDIS_KEY_PREFIX: PREFIX,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    logFile,
  });
  cleanups.push(() => proc.stop({ signal: 'SIGKILL' }));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true, {
    timeoutMs: 30_000,
    message: 'the aggregator to join its group',
  });
  return { proc, url, group, logFile };
}

/** Waits until the aggregator has processed at least `share` events (its own counter). */
async function processed(run: Disturbed, share: number): Promise<void> {
  await waitFor(async () => (await metricTotal(run.url, 'wfm_events_consumed_total')) >= share, {
    timeoutMs: 60_000,
    intervalMs: 5,
    message: `the aggregator to process ${share} events`,
  });
}

/**
 * Waits until Redis holds the effects of every record of every partition: its progress
 * record (docs/architecture.md, "When Redis loses data") says so, and the group has
 * committed the ends.
 */
async function caughtUp(run: Disturbed, redis: Redis): Promise<void> {
  const key = new Keys(
    new GenerationPointer(redis, PREFIX).prefixOf(INITIAL_GENERATION),
  ).progress();
  const ends: [string, number, number][] = [];
  for (const topic of streams)
    for (const o of await admin.fetchTopicOffsets(topic))
      if (Number(o.high) > 0) ends.push([topic, o.partition, Number(o.high) - 1]);
  await waitFor(
    async () => {
      const held = await redis.hmget(
        key,
        ...ends.map(([t, p]) => `${run.group}\u0000${t}\u0000${p}`),
      );
      return ends.every(([, , last], i) => Number(held[i] ?? -1) >= last);
    },
    { timeoutMs: 90_000, intervalMs: 100, message: 'Redis to hold the effects of every record' },
  );
  await waitForGroupCaughtUp(run.group, streams, { timeoutMs: 90_000 });
}

async function compareWithReference(run: Disturbed, redis: RedisServer): Promise<void> {
  expect((await run.proc.stop()).code).toBe(0);
  const actual = await answersOf(redis.url, PREFIX);
  for (const [url, answer] of Object.entries(expected)) expect(actual[url], url).toEqual(answer);
}

function lossesLogged(run: Disturbed): number {
  return fs
    .readFileSync(run.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('the state store lost')).length;
}

/**
 * Runs the aggregator on the test's Redis through a restart (so the directory, read
 * whole in the first life, is a partition the second life holds but never writes to),
 * disturbs that Redis once the second life is mid-stream, and requires the loss to be
 * noticed, logged and repaired: every answer equal to the undisturbed run's.
 */
async function disturbedRun(
  redis: RedisServer,
  disturb: () => Promise<RedisServer>,
): Promise<void> {
  const group = uniqueName('disturbed');
  const first = await startDisturbed(redis.url, group);
  await processed(first, Math.floor(total * 0.1));
  expect((await first.proc.stop()).code).toBe(0);
  const run = await startDisturbed(redis.url, group);
  await processed(run, Math.floor(total * 0.2));
  const after = await disturb();
  const client = new Redis(after.url, { maxRetriesPerRequest: 1 });
  cleanups.push(() => {
    client.disconnect();
    return Promise.resolve();
  });

  await waitFor(async () => (await metricTotal(run.url, 'wfm_consumer_state_losses_total')) > 0, {
    timeoutMs: 30_000,
    message: 'the aggregator to notice the loss',
  });
  // logged too (pino writes asynchronously: the line may follow the counter)
  await waitFor(() => lossesLogged(run) > 0, {
    timeoutMs: 10_000,
    message: 'the loss to be logged',
  });
  await caughtUp(run, client);
  await compareWithReference(run, after);
}

describe('an aggregator whose Redis loses its data mid-stream', () => {
  it('emptied (FLUSHALL): notices, consumes again, and answers as an undisturbed run', async () => {
    const redis = await startRedis({ dir: path.join(dir, 'flushed') });
    cleanups.push(() => redis.stop());
    await disturbedRun(redis, async () => {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      try {
        expect(await client.dbsize()).toBeGreaterThan(0);
        await client.flushall();
      } finally {
        client.disconnect();
      }
      return redis;
    });
  });

  it('restarted without persistence: notices, consumes again, and answers as an undisturbed run', async () => {
    let redis = await startRedis({ dir: path.join(dir, 'restarted') });
    cleanups.push(() => redis.stop());
    await disturbedRun(redis, async () => {
      await redis.process.stop({ signal: 'SIGKILL' });
      redis = await startRedis({ port: redis.port, dir: path.join(dir, 'restarted') });
      return redis;
    });
  });
});
