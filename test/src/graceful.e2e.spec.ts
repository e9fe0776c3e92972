import {
  type RedisNamespace,
  testKafka,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
} from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { answersOn, expectSameAnswers, trafficPeriod } from './support/answers.js';
import { committedByTopic, metricByLabel, sumOf } from './support/metrics.js';
import { type ServiceProcess } from './support/services.js';
import { pipelineStack } from './support/stack.js';
import { publishTraffic } from './support/topics.js';
import { syntheticTraffic } from './support/traffic.js';

/** How long a stopping service gives itself before it exits anyway (runService). */
const GRACE_MS = 25_000;
const stack = pipelineStack({ env: { PARTITIONS_CONSUMED_CONCURRENTLY: '4' } });
const { topics, streams } = stack;
const reference = stack.namespace();
const graceful = stack.namespace();

const startInstance = (groupId: string, prefix: string): Promise<ServiceProcess> =>
  stack.startAggregator(groupId, prefix, { message: 'the aggregator to join its group' });

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
  // every master's keys on a cluster (TEST_REDIS=cluster), one command each: a cluster
  // pipeline takes keys of one slot only
  const keys = await ns.keys(`${ns.prefix}:*`);
  const counts = await Promise.all(
    keys.map(async (key) => {
      if (/:\{c:[^}]*\}$/.test(key)) return { c: Number(await ns.redis.hget(key, 'v')), a: 0 };
      if (/:\{a:[^}]*\}:ids:\d+$/.test(key)) return { c: 0, a: await ns.redis.hlen(key) };
      return { c: 0, a: 0 };
    }),
  );
  const contacts = counts.reduce((sum, n) => sum + n.c, 0);
  const agents = counts.reduce((sum, n) => sum + n.a, 0);
  return { contacts, agents };
}

describe('an aggregator stopped with SIGTERM mid-stream', () => {
  it('exits 0 in time, leaving exactly what it processed committed and the rest to its successor', async () => {
    await stack.createTopics({ contacts: 4, agents: 4 });
    // a backlog that takes the aggregator several seconds
    const traffic = syntheticTraffic({ seed: 31, contacts: 15_000, groups: 12, agents: 30 });
    await publishTraffic(testKafka(), topics, traffic);
    const totals = new Map([
      [topics.TOPIC_DIRECTORY, traffic.directory.length],
      [topics.TOPIC_CONTACT_EVENTS, traffic.contacts.length],
      [topics.TOPIC_AGENT_EVENTS, traffic.agents.length],
    ]);
    const total = sumOf(totals);

    const group = uniqueName('graceful');
    const first = await startInstance(group, graceful.prefix);
    // stop it once it is well into the backlog, with batches in hand, and has committed some
    // contact or agent events (on a loaded machine a quarter can be consumed with every
    // batch of those streams still in flight: then nothing is committed yet, rightly)
    await waitFor(
      async () =>
        sumOf(await metricByLabel(first.url, 'wfm_events_consumed_total')) > total / 4 &&
        [...(await committedOf(group))].some(([t, n]) => t !== topics.TOPIC_DIRECTORY && n > 0),
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
    const uninterrupted = await stack.reference(reference.prefix);
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

    await waitForGroupCaughtUp(uninterrupted.group, streams, { timeoutMs: 90_000 });
    await uninterrupted.aggregator.stop();
    const expected = await answersOn(reference.prefix, trafficPeriod(traffic));
    const actual = await answersOn(graceful.prefix, trafficPeriod(traffic));
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    expectSameAnswers(actual, expected);
  });
});
