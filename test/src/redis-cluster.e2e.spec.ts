import type { RunningAggregator } from '@wfm-stream/aggregator';
import { type RedisCluster, spawnManaged, startRedisCluster } from '@wfm-stream/local-stack';
import type { RunningReader } from '@wfm-stream/reader';
import type { WfmEvent } from '@wfm-stream/schemas';
import { connectRedis, GenerationPointer } from '@wfm-stream/store';
import {
  testKafka,
  testRedis,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
} from '@wfm-stream/testing';
import { type RunningSink, startWfmSink } from '@wfm-stream/wfm-sink';
import { Partitioners, type Producer } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';

import { allAnswers, trafficPeriod } from './support/answers.js';
import { sendEvents } from './support/publish.js';
import { CLI_MAIN } from './support/services.js';
import { pipelineStack } from './support/stack.js';
import { syntheticTraffic } from './support/traffic.js';

/**
 * The pipeline on a Redis Cluster (docs/architecture.md, "Redis Cluster"): three masters,
 * three replicas, a password. The aggregator, the reader and the emitter run on it, and
 * the same traffic runs through a reference deployment on the run's single Redis; the
 * answers must be equal, before a failover, after one (a master killed with SIGKILL
 * mid-stream, its replica taking over), and after a `wfm-stream rebuild` on the cluster.
 * During the failover the reader is not ready while it cannot serve, and its requests are
 * answered 200, or 503 with Retry-After, never 500.
 */
const PASSWORD = 'cluster:p@ss';
const STATUS_PATH = '/ccwfm/api/rest/status';
const KEY = 'k';
const deployment = pipelineStack({
  env: {
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    SYSTEM_ID: 'Test system',
    PARTITIONS_CONSUMED_CONCURRENTLY: '2',
    READER_API_KEYS: KEY,
  },
});
const { on: stack, topics, streams, env: common } = deployment;
const reference = deployment.namespace();
const clusterPrefix = uniqueName('c');
const traffic = syntheticTraffic({ seed: 31, contacts: 3_000, groups: 10, agents: 24 });
const period = trafficPeriod(traffic);
const half = <T>(items: readonly T[]): [T[], T[]] => {
  const at = Math.round(items.length / 2);
  return [items.slice(0, at), items.slice(at)];
};
const [contactsBefore, contactsAfter] = half(traffic.contacts);
const [agentsBefore, agentsAfter] = half(traffic.agents);

let cluster: RedisCluster;
let clusterEnv: Record<string, string>;
let producer: Producer;
const groups = { reference: uniqueName('ref'), cluster: uniqueName('clu') };
const emitterGroups = { reference: uniqueName('ref-emit'), cluster: uniqueName('clu-emit') };
let clusterAggregator: RunningAggregator;
let referenceReader: RunningReader;
let clusterReader: RunningReader;
let readerUrl: string;
const sinks: Record<'reference' | 'cluster', RunningSink | undefined> = {
  reference: undefined,
  cluster: undefined,
};

function aggregatorOn(env: Record<string, string>, group: string): Promise<RunningAggregator> {
  return deployment.aggregator({ ...common, ...env, CONSUMER_GROUP: group });
}

async function emitterOn(
  env: Record<string, string>,
  group: string,
  sink: RunningSink,
): Promise<void> {
  await deployment.emitter({
    ...common,
    ...env,
    CONSUMER_GROUP: group,
    EMITTER_START_FROM: 'earliest',
    WFM_STATUS_URL: `${sink.url}${STATUS_PATH}`,
  });
}

function readerOn(env: Record<string, string>): Promise<RunningReader> {
  return deployment.reader({ ...common, ...env });
}

/** Every push a sink received, each once, in a stable order. */
function distinctPushes(sink: RunningSink | undefined): string[] {
  const all = (sink?.received(STATUS_PATH) ?? []).map((r) => JSON.stringify(r.body));
  return [...new Set(all)].sort();
}

async function caughtUp(): Promise<void> {
  await Promise.all([
    waitForGroupCaughtUp(groups.reference, streams, { timeoutMs: 60_000 }),
    waitForGroupCaughtUp(groups.cluster, streams, { timeoutMs: 60_000 }),
    waitForGroupCaughtUp(emitterGroups.reference, [topics.TOPIC_AGENT_EVENTS], {
      timeoutMs: 60_000,
    }),
    waitForGroupCaughtUp(emitterGroups.cluster, [topics.TOPIC_AGENT_EVENTS], {
      timeoutMs: 60_000,
    }),
  ]);
}

async function expectEqualAnswers(complete = true): Promise<void> {
  const headers = { 'x-api-key': KEY };
  const expected = await allAnswers(referenceReader.app, headers, period);
  const actual = await allAnswers(clusterReader.app, headers, period);
  for (const [url, answer] of Object.entries(expected)) {
    if (complete) expect(answer.status, url).toBe(200);
    expect(actual[url], url).toEqual(answer);
  }
  await waitFor(
    () => {
      const want = distinctPushes(sinks.reference);
      return (
        want.length > 0 && JSON.stringify(distinctPushes(sinks.cluster)) === JSON.stringify(want)
      );
    },
    { timeoutMs: 20_000, message: 'the cluster emitter to push what the reference pushed' },
  ).catch(() => undefined);
  expect(distinctPushes(sinks.cluster)).toEqual(distinctPushes(sinks.reference));
}

beforeAll(async () => {
  await deployment.createTopics({ contacts: 3, agents: 3 });
  cluster = await startRedisCluster({ password: PASSWORD, nodeTimeoutMs: 1_000 });
  deployment.onTeardown(() => cluster.stop());
  clusterEnv = {
    REDIS_URL: cluster.url,
    REDIS_CLUSTER_NODES: cluster.nodes.join(','),
    REDIS_KEY_PREFIX: clusterPrefix,
  };
  const referenceEnv = { REDIS_URL: stack.redisUrl, REDIS_KEY_PREFIX: reference.prefix };
  sinks.reference = await startWfmSink();
  sinks.cluster = await startWfmSink();
  deployment.onTeardown(() => sinks.reference?.stop() ?? Promise.resolve());
  deployment.onTeardown(() => sinks.cluster?.stop() ?? Promise.resolve());
  await aggregatorOn(referenceEnv, groups.reference);
  clusterAggregator = await aggregatorOn(clusterEnv, groups.cluster);
  await emitterOn(referenceEnv, emitterGroups.reference, sinks.reference);
  await emitterOn(clusterEnv, emitterGroups.cluster, sinks.cluster);
  referenceReader = await readerOn(referenceEnv);
  clusterReader = await readerOn(clusterEnv);
  readerUrl = `http://127.0.0.1:${clusterReader.port}`;
  producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  deployment.onTeardown(() => producer.disconnect());
});

async function send(contacts: readonly WfmEvent[], agents: readonly WfmEvent[]): Promise<void> {
  await sendEvents(producer, topics.TOPIC_CONTACT_EVENTS, contacts);
  await sendEvents(producer, topics.TOPIC_AGENT_EVENTS, agents);
}

describe('the pipeline on a Redis Cluster', () => {
  it('answers as on a single Redis: the keys spread over the three masters', async () => {
    await sendEvents(producer, topics.TOPIC_DIRECTORY, traffic.directory);
    await send(contactsBefore, agentsBefore);
    await caughtUp();
    // agents still logged in have no login data yet (404 on both)
    await expectEqualAnswers(false);
    // the state really is spread: every master holds some of it
    const client = testRedis({ ...stack, redisUrl: cluster.url, redisClusterNodes: cluster.nodes });
    try {
      await waitFor(() => client.status === 'ready', { message: 'the test client' });
      const masters = 'nodes' in client ? client.nodes('master') : [];
      expect(masters).toHaveLength(3);
      const sizes = await Promise.all(masters.map((m) => m.dbsize()));
      expect(
        sizes.every((n) => n > 0),
        JSON.stringify(sizes),
      ).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('rides out a master killed mid-stream: not ready while it cannot serve, no 500, equal answers', async () => {
    // the master of the slot of group g0's history of the traffic's month, which the
    // polled answers read (docs/architecture.md, "A group's months")
    const slot = Number(
      (await cluster.cli(cluster.nodes[0] ?? '', ['CLUSTER', 'KEYSLOT', '{gm:202401:g0}'])).trim(),
    );
    const victim = await cluster.masterOf(slot);
    const server = cluster.servers.find((s) => s.address === victim);
    expect(server, `the master of slot ${slot}`).toBeDefined();

    // a WFM polling the reader, and an orchestrator polling its readiness, throughout
    const readiness: { start: number; at: number; status: number }[] = [];
    const aggregatorReady: { at: number; ready: boolean }[] = [];
    const requests: { start: number; at: number; status: number; retryAfter: string | null }[] = [];
    let polling = true;
    const url =
      `${readerUrl}/historic/serviceGroupData?startDate=2024-01-08T00:00:00Z&endDate=2024-01-09T00:00:00Z` +
      `&step=900000&groupId=${traffic.groupIds.join(',')}`;
    const readinessPoller = (async () => {
      while (polling) {
        const start = Date.now();
        const response = await fetch(`${readerUrl}/readyz`).catch(() => undefined);
        readiness.push({ start, at: Date.now(), status: response?.status ?? 0 });
        aggregatorReady.push({ at: Date.now(), ready: clusterAggregator.health.isReady() });
        await response?.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const requestPoller = (async () => {
      while (polling) {
        const start = Date.now();
        const response = await fetch(url, { headers: { 'x-api-key': KEY } }).catch(() => undefined);
        requests.push({
          start,
          at: Date.now(),
          status: response?.status ?? 0,
          retryAfter: response?.headers.get('retry-after') ?? null,
        });
        await response?.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await waitFor(() => readiness.some((r) => r.status === 200), { message: 'ready at first' });

    // a third of the rest, the kill, the remainder while the replica takes over
    const third = (items: readonly WfmEvent[]): [WfmEvent[], WfmEvent[]] => {
      const at = Math.round(items.length / 3);
      return [items.slice(0, at), items.slice(at)];
    };
    const [contactsFirst, contactsRest] = third(contactsAfter);
    const [agentsFirst, agentsRest] = third(agentsAfter);
    await send(contactsFirst, agentsFirst);
    const killedAt = Date.now();
    await server?.process.stop({ signal: 'SIGKILL' });
    // when the replica serves the slot, watched while the traffic goes on
    // the last time the test still saw no new master (when that look began): the replica
    // was surely not serving before then; the look that saw it may come hundreds of ms after
    let stillDeadAt = killedAt;
    const promotion = waitFor(
      async () => {
        const lookedAt = Date.now();
        const master = await cluster.masterOf(slot).catch(() => '');
        if (master !== '' && master !== victim) return { master, at: Date.now() };
        stillDeadAt = lookedAt;
        return undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, message: 'the replica to take over' },
    );
    for (let i = 0; i < Math.max(contactsRest.length, agentsRest.length); i += 200)
      await send(contactsRest.slice(i, i + 200), agentsRest.slice(i, i + 200));
    const { master: promoted, at: promotedAt } = await promotion;
    expect(cluster.nodes).toContain(promoted);
    // the reader went not ready, and is ready again
    await waitFor(
      () =>
        readiness.some((r) => r.at > killedAt && r.status === 503) &&
        readiness.at(-1)?.status === 200,
      { timeoutMs: 30_000, message: 'the reader to go not ready, then ready again' },
    );
    await caughtUp();
    polling = false;
    await Promise.all([readinessPoller, requestPoller]);

    // from the moment the reader can have noticed the kill until the replica took over, it
    // never said it was ready
    const claimedReady = readiness.filter(
      (r) => r.start > killedAt + 1_000 && r.at < stillDeadAt && r.status === 200,
    );
    expect(
      claimedReady,
      `ready while the master was dead (still dead ${stillDeadAt - killedAt} ms after the kill, promotion seen after ${promotedAt - killedAt} ms)`,
    ).toEqual([]);
    // the window in which the reader said it was not ready
    const down = readiness.find((r) => r.at > killedAt && r.status !== 200)?.at ?? killedAt;
    const up = readiness.find((r) => r.at > down && r.status === 200)?.at ?? Date.now();
    const inFlight = requests.filter((r) => r.start < up && r.at > down);
    expect(inFlight.length, 'requests in flight while the reader was not ready').toBeGreaterThan(0);
    // the aggregator too went not ready, and is ready again
    expect(aggregatorReady.some((r) => r.at > killedAt && !r.ready)).toBe(true);
    expect(aggregatorReady.at(-1)?.ready).toBe(true);
    // no request was answered 500; a 503 says when to retry
    expect(requests.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]);
    for (const r of requests.filter((q) => q.status === 503)) expect(r.retryAfter).not.toBeNull();
    expect(requests.at(-1)?.status).toBe(200);
    // the figures equal the undisturbed run's
    await expectEqualAnswers();
  });

  it('rebuilds on the cluster (after the failover) to the same answers', async () => {
    const redis = connectRedis({ url: cluster.url, clusterNodes: cluster.nodes });
    deployment.onTeardown(() => {
      redis.disconnect();
      return Promise.resolve();
    });
    const pointer = new GenerationPointer(redis, clusterPrefix);
    const before = await pointer.read();
    const rebuild = spawnManaged('rebuild', process.execPath, [CLI_MAIN, 'rebuild'], {
      env: { ...process.env, ...common, ...clusterEnv, LOG_LEVEL: 'warn' },
      pipe: true,
    });
    deployment.onTeardown(() => rebuild.stop({ signal: 'SIGKILL' }));
    let output = '';
    rebuild.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    rebuild.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const status = await rebuild.exited;
    expect(status.code, output).toBe(0);
    expect(await pointer.read()).not.toBe(before);
    await caughtUp();
    await expectEqualAnswers();
  });
});
