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
  type RedisNamespace,
  redisNamespace,
  testKafka,
  testStack,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
} from '@wfm-stream/testing';
import { afterAll, describe, expect, it } from 'vitest';

import { allAnswers } from './support/answers.js';
import { committedByTopic, metricByLabel, sumOf } from './support/metrics.js';
import { publishEvents } from './support/publish.js';
import { syntheticTraffic } from './support/traffic.js';

const AGGREGATOR = path.join(REPO_DIR, 'services', 'aggregator', 'dist', 'main.js');
/** How long a stopping service gives itself before it exits anyway (runService). */
const GRACE_MS = 25_000;
const stack = testStack();
const reference = redisNamespace();
const graceful = redisNamespace();
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
  REDIS_URL: stack.redisUrl,
  HTTP_HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  PARTITIONS_CONSUMED_CONCURRENTLY: '4',
  CONSUMER_SESSION_TIMEOUT: '6s',
};
const running: ManagedProcess[] = [];

afterAll(async () => {
  for (const p of running) await p.stop({ signal: 'SIGKILL' });
  await reference.cleanup();
  await graceful.cleanup();
});

interface Instance {
  readonly proc: ManagedProcess;
  readonly url: string;
}

async function startInstance(groupId: string, prefix: string): Promise<Instance> {
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
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true, {
    timeoutMs: 30_000,
    message: 'the aggregator to join its group',
  });
  return { proc, url };
}

/** Per topic: the group's committed offsets, summed over partitions (0 where none). */
async function committedOf(groupId: string): Promise<Map<string, number>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return await committedByTopic(admin, groupId, streams);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The distinct events the state in Redis holds, per stream: every contact record counts
 * the events merged into it (field `v`), every agent keeps the ids of its events per day
 * (`…{a:<id>}:ids:<day>`). Each event id is unique in the test traffic, so these are the
 * numbers of contact and agent events that were processed, duplicates or not.
 */
async function eventsInRedis(ns: RedisNamespace): Promise<{ contacts: number; agents: number }> {
  let contacts = 0;
  let agents = 0;
  let cursor = '0';
  do {
    const [next, keys] = await ns.redis.scan(cursor, 'MATCH', `${ns.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const pipeline = ns.redis.pipeline();
    const kinds: ('c' | 'a')[] = [];
    for (const key of keys) {
      if (/:\{c:[^}]*\}$/.test(key)) {
        pipeline.hget(key, 'v');
        kinds.push('c');
      } else if (/:\{a:[^}]*\}:ids:\d+$/.test(key)) {
        pipeline.hlen(key);
        kinds.push('a');
      }
    }
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([error, value], i) => {
      if (error) throw error;
      if (kinds[i] === 'c') contacts += Number(value);
      else agents += Number(value);
    });
  } while (cursor !== '0');
  return { contacts, agents };
}

async function answersOf(
  prefix: string,
  traffic: { groupIds: string[]; agentIds: string[] },
): Promise<Record<string, { status: number; body: unknown }>> {
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
    return await allAnswers(
      reader.app,
      { 'x-api-key': 'k' },
      {
        groupIds: traffic.groupIds,
        agentIds: traffic.agentIds,
        startDate: '2024-01-08T00:00:00Z',
        endDate: '2024-01-10T00:00:00Z',
      },
    );
  } finally {
    await reader.stop();
  }
}

describe('an aggregator stopped with SIGTERM mid-stream', () => {
  it('exits 0 in time, leaving exactly what it processed committed and the rest to its successor', async () => {
    await createTopics([
      { name: topics.TOPIC_DIRECTORY, partitions: 1 },
      { name: topics.TOPIC_CONTACT_EVENTS, partitions: 4 },
      { name: topics.TOPIC_AGENT_EVENTS, partitions: 4 },
      { name: topics.TOPIC_DEAD_LETTER, partitions: 1 },
    ]);
    // a backlog that takes the aggregator several seconds
    const traffic = syntheticTraffic({ seed: 31, contacts: 15_000, groups: 12, agents: 30 });
    await publishEvents(testKafka(), topics.TOPIC_DIRECTORY, traffic.directory);
    await publishEvents(testKafka(), topics.TOPIC_CONTACT_EVENTS, traffic.contacts);
    await publishEvents(testKafka(), topics.TOPIC_AGENT_EVENTS, traffic.agents);
    const totals = new Map([
      [topics.TOPIC_DIRECTORY, traffic.directory.length],
      [topics.TOPIC_CONTACT_EVENTS, traffic.contacts.length],
      [topics.TOPIC_AGENT_EVENTS, traffic.agents.length],
    ]);
    const total = sumOf(totals);

    const group = uniqueName('graceful');
    const first = await startInstance(group, graceful.prefix);
    // stop it once it is well into the backlog, with batches in hand
    await waitFor(
      async () => sumOf(await metricByLabel(first.url, 'wfm_events_consumed_total')) > total / 4,
      { timeoutMs: 60_000, intervalMs: 50, message: 'the aggregator to work through a quarter' },
    );
    const signalled = performance.now();
    const exit = await first.proc.stop({ signal: 'SIGTERM', timeoutMs: GRACE_MS + 5_000 });
    const stopMs = performance.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(GRACE_MS);

    // it stopped mid-stream: part of the contact and agent events committed, not all
    const committed = await committedOf(group);
    const committedContacts = committed.get(topics.TOPIC_CONTACT_EVENTS) ?? 0;
    const committedAgents = committed.get(topics.TOPIC_AGENT_EVENTS) ?? 0;
    expect(committedContacts + committedAgents).toBeGreaterThan(0);
    expect(committedContacts + committedAgents).toBeLessThan(
      traffic.contacts.length + traffic.agents.length,
    );
    // What it processed is what it committed, neither more nor less: a batch written to
    // Redis but not committed (the failure a graceful stop must avoid) would show up as
    // more events in Redis than committed offsets; a batch committed but not written, as
    // fewer. (Redis de-duplicates by event id, so the count is of distinct events.)
    expect(await eventsInRedis(graceful)).toEqual({
      contacts: committedContacts,
      agents: committedAgents,
    });

    // its successor consumes exactly the remainder. There is no duplicate-event metric
    // (the stores drop repeated event ids inside their Redis scripts without counting
    // them), so a redelivered batch is seen in wfm_events_consumed_total instead: it
    // counts every valid event handed to processing, repeated ones included, and would
    // exceed the remainder by the size of any batch processed again.
    const second = await startInstance(group, graceful.prefix);
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
    await waitForGroupCaughtUp(group, streams, { timeoutMs: 90_000 });
    const remainder = new Map([...totals].map(([t, n]) => [t, n - (committed.get(t) ?? 0)]));
    const consumed = await metricByLabel(second.url, 'wfm_events_consumed_total');
    for (const [topic, n] of remainder) expect(consumed.get(topic) ?? 0, topic).toBe(n);
    expect(sumOf(await metricByLabel(second.url, 'wfm_events_rejected_total'))).toBe(0);
    expect(await second.proc.stop({ timeoutMs: GRACE_MS + 5_000 })).toEqual({
      code: 0,
      signal: null,
    });
    expect(await eventsInRedis(graceful)).toEqual({
      contacts: traffic.contacts.length,
      agents: traffic.agents.length,
    });

    await waitForGroupCaughtUp(referenceGroup, streams, { timeoutMs: 90_000 });
    await uninterrupted.stop();
    const expected = await answersOf(reference.prefix, traffic);
    const actual = await answersOf(graceful.prefix, traffic);
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const [url, answer] of Object.entries(expected)) {
      expect(answer.status, url).toBe(200);
      expect(actual[url], url).toEqual(answer);
    }
  });
});
