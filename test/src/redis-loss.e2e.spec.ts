import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type RedisServer, startRedis } from '@wfm-stream/local-stack';
import { GenerationPointer, INITIAL_GENERATION, Keys } from '@wfm-stream/store';
import { testKafka, uniqueName, waitFor, waitForGroupCaughtUp } from '@wfm-stream/testing';
import { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';

import { answersOn, trafficPeriod } from './support/answers.js';
import { endsByTopic, metricTotal, sumOf } from './support/metrics.js';
import { type ServiceProcess } from './support/services.js';
import { pipelineStack } from './support/stack.js';
import { publishTraffic } from './support/topics.js';
import { syntheticTraffic, type Traffic } from './support/traffic.js';

/**
 * docs/architecture.md, "When Redis loses data": a Redis that loses what the aggregator
 * wrote (emptied, or restarted without persistence) mid-stream is noticed, counted and
 * logged, the partitions are consumed again from what Redis still holds, and once caught
 * up every answer equals that of an undisturbed run. Each disturbed run has a
 * redis-server of its own: the one the other tests share is never emptied.
 */

const stack = pipelineStack({ env: { PARTITIONS_CONSUMED_CONCURRENTLY: '2' } });
const { topics, streams } = stack;
const PREFIX = 'wfm';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-redis-loss-'));
stack.onTeardown(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
const reference = stack.namespace();

let traffic: Traffic;
let total = 0;
let admin: Admin;
let expected: Record<string, { status: number; body: unknown }>;

/** Every answer of a reader on `redisUrl`, under `prefix`. */
const answersOf = (redisUrl: string, prefix: string) =>
  answersOn(prefix, trafficPeriod(traffic), { REDIS_URL: redisUrl });

beforeAll(async () => {
  await stack.createTopics({ contacts: 3, agents: 3 });
  traffic = syntheticTraffic({ seed: 23, contacts: 3_000, groups: 9, agents: 24 });
  await publishTraffic(testKafka(), topics, traffic);
  const connecting = testKafka().admin();
  await connecting.connect();
  admin = connecting;
  stack.onTeardown(() => connecting.disconnect());
  total = sumOf(await endsByTopic(admin, streams));

  // the undisturbed run, in process, on the shared Redis under a prefix of its own
  const { group: referenceGroup, aggregator } = await stack.reference(reference.prefix);
  await waitForGroupCaughtUp(referenceGroup, streams, { timeoutMs: 90_000 });
  await aggregator.stop();
  expected = await answersOf(stack.on.redisUrl, reference.prefix);
  for (const [url, answer] of Object.entries(expected)) expect(answer.status, url).toBe(200);
});

interface Disturbed extends ServiceProcess {
  readonly group: string;
  readonly logFile: string;
}

/** The aggregator as a process, on the test's own Redis. */
async function startDisturbed(redisUrl: string, group: string): Promise<Disturbed> {
  const logFile = path.join(dir, `${group}-${uniqueName('life')}.log`);
  const service = await stack.startAggregator(group, PREFIX, {
    env: { REDIS_URL: redisUrl },
    logFile,
    message: 'the aggregator to join its group',
  });
  return { ...service, group, logFile };
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
  stack.onTeardown(() => {
    client.disconnect();
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
    stack.onTeardown(() => redis.stop());
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
    stack.onTeardown(() => redis.stop());
    await disturbedRun(redis, async () => {
      await redis.process.stop({ signal: 'SIGKILL' });
      redis = await startRedis({ port: redis.port, dir: path.join(dir, 'restarted') });
      return redis;
    });
  });
});
