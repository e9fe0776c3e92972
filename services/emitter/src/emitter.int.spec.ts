import { type statusPushes } from '@wfm-stream/core';
import { createProducer } from '@wfm-stream/kafka';
import { silentLogger } from '@wfm-stream/observability';
import { createRegistry } from '@wfm-stream/observability';
import type { AgentEvent, EpochMs } from '@wfm-stream/schemas';
import { connectRedis, StatusClaims, StatusOutbox } from '@wfm-stream/store';
import {
  createTopics,
  redisConnection,
  redisNamespace,
  testKafka,
  testStack,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
} from '@wfm-stream/testing';
import { type RunningSink, startWfmSink } from '@wfm-stream/wfm-sink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { StatusDelivery } from './delivery.js';
import { type RunningEmitter, startEmitter } from './emitter.js';
import { emitterHandler } from './handler.js';
import { PushMetrics } from './push-metrics.js';
import { StatusPusher } from './status-pusher.js';
import { emitterTestConfig } from './testing/config.js';

const STATUS_PATH = '/ccwfm/api/rest/status';
const stack = testStack();
const ns = redisNamespace(stack);
const kafka = testKafka(stack);
const producer = createProducer(kafka, { idempotent: true });
const running: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  await producer.connect();
});

afterAll(async () => {
  for (const r of running.reverse()) await r.stop();
  await producer.disconnect();
  await ns.cleanup();
});

let seq = 0;
const at = (time: string): string => `2024-03-01T${time}+01:00`;
const login = (agentId: string, time: string, eventId = `e${++seq}`): AgentEvent => ({
  eventId,
  type: 'agent.loggedIn',
  occurredAt: at(time),
  agentId,
});
const state = (
  agentId: string,
  time: string,
  stateCode: string,
  stateName: string,
  category: 'AVAILABLE' | 'BUSY' | 'AFTER_CONTACT_WORK' | 'NOT_READY',
  reason?: [string, string],
  eventId = `e${++seq}`,
): AgentEvent => ({
  eventId,
  type: 'agent.stateChanged',
  occurredAt: at(time),
  agentId,
  stateCode,
  stateName,
  category,
  ...(reason === undefined ? {} : { reasonCode: reason[0], reasonName: reason[1] }),
});
const logout = (agentId: string, time: string, eventId = `e${++seq}`): AgentEvent => ({
  eventId,
  type: 'agent.loggedOut',
  occurredAt: at(time),
  agentId,
});

async function publish(topic: string, events: readonly AgentEvent[]): Promise<void> {
  await producer.send({
    topic,
    messages: events.map((e) => ({ key: e.agentId, value: JSON.stringify(e) })),
  });
}

interface Setup {
  readonly topic: string;
  readonly group: string;
  readonly sink: RunningSink;
  readonly emitter: RunningEmitter;
}

async function setUp(extra: Record<string, string> = {}, partitions = 3): Promise<Setup> {
  const topic = uniqueName('agents');
  const dlq = uniqueName('dlq');
  await createTopics([
    { name: topic, partitions },
    { name: dlq, partitions: 1 },
  ]);
  const sink = await startWfmSink();
  running.push(sink);
  const group = uniqueName('emitter');
  const emitter = await startEmitter(
    emitterTestConfig(
      { stack, keyPrefix: ns.prefix, topic, deadLetterTopic: dlq, group },
      {
        WFM_STATUS_URL: `${sink.url}${STATUS_PATH}`,
        SYSTEM_ID: 'Test system',
        HTTP_HOST: '127.0.0.1',
        PUSH_GIVE_UP_AFTER: '100ms',
        PUSH_RETRY_BACKOFF: '20ms',
        PUSH_RETRY_BACKOFF_MAX: '40ms',
        PUSH_TIMEOUT: '500ms',
        ...extra,
      },
    ),
    silentLogger(),
  );
  running.push(emitter);
  return { topic, group, sink, emitter };
}

type Push = ReturnType<typeof statusPushes>[number];
const pushesOf = (sink: RunningSink, workerId?: string): Push[] =>
  sink
    .received(STATUS_PATH)
    .map((r) => r.body as Push)
    .filter((p) => workerId === undefined || p.workerId === workerId);

const s = (time: string): number => Date.parse(at(time)) / 1000;

async function pushCounts(emitter: RunningEmitter): Promise<Record<string, number>> {
  const metric = await emitter.registry.getSingleMetric('wfm_emitter_pushes_total')?.get();
  return Object.fromEntries(metric?.values.map((v) => [String(v.labels.outcome), v.value]) ?? []);
}

describe('emitter', () => {
  it('pushes a scripted shift as exactly the expected POST sequence, per agent in order', async () => {
    const { topic, group, sink } = await setUp();
    const duplicate = state('a1', '08:10:00', 'BUSY', 'Talking', 'BUSY');
    const shift: AgentEvent[] = [
      login('a1', '08:00:00'),
      login('a2', '08:00:30', undefined),
      state('a1', '08:01:00', 'READY', 'Ready', 'AVAILABLE'),
      duplicate,
      state('a2', '08:02:00', 'READY', 'Ready', 'AVAILABLE'),
      state('a1', '08:15:00', 'ACW', 'Wrap-up', 'AFTER_CONTACT_WORK'),
      state('a1', '08:16:00', 'BREAK', 'Break', 'NOT_READY', ['LUNCH', 'Lunch']),
      duplicate,
      // history: older than what a1 is known to be in
      state('a1', '08:05:00', 'READY', 'Ready', 'AVAILABLE'),
      state('a1', '08:46:00', 'READY', 'Ready', 'AVAILABLE'),
      logout('a2', '08:50:00'),
      logout('a1', '09:00:00'),
    ];
    for (const event of shift) await publish(topic, [event]);
    await waitForGroupCaughtUp(group, [topic]);
    const expected: [number, string, string, number][] = [
      [1, 'LOGGED_IN', 'Logged in', s('08:00:00')],
      [0, 'LOGGED_IN', 'Logged in', s('08:01:00')],
      [1, 'READY', 'Ready', s('08:01:00')],
      [0, 'READY', 'Ready', s('08:10:00')],
      [1, 'BUSY', 'Talking', s('08:10:00')],
      [0, 'BUSY', 'Talking', s('08:15:00')],
      [1, 'ACW', 'Wrap-up', s('08:15:00')],
      [0, 'ACW', 'Wrap-up', s('08:16:00')],
      [1, 'BREAK:LUNCH', 'Break / Lunch', s('08:16:00')],
      [0, 'BREAK:LUNCH', 'Break / Lunch', s('08:46:00')],
      [1, 'READY', 'Ready', s('08:46:00')],
      [0, 'READY', 'Ready', s('09:00:00')],
    ];
    await waitFor(() => pushesOf(sink).length >= expected.length + 4, {
      message: 'every push at the sink',
    });
    expect(
      pushesOf(sink, 'a1').map((p) => [p.action, p.stateCode, p.stateName, p.actionTime]),
    ).toEqual(expected);
    expect(pushesOf(sink, 'a2').map((p) => [p.action, p.stateCode])).toEqual([
      [1, 'LOGGED_IN'],
      [0, 'LOGGED_IN'],
      [1, 'READY'],
      [0, 'READY'],
    ]);
    for (const push of pushesOf(sink)) {
      expect(push.systemId).toBe('Test system');
      expect(Object.keys(push).sort()).toEqual(
        ['action', 'actionTime', 'stateCode', 'stateName', 'systemId', 'workerId'].sort(),
      );
    }
    expect(pushesOf(sink)).toHaveLength(expected.length + 4);
  });

  it('pushes nothing twice when a batch is delivered again after a restart', async () => {
    const sink = await startWfmSink();
    running.push(sink);
    const redis = connectRedis({ ...redisConnection(stack), name: 'emitter-test' });
    running.push({
      stop: () => {
        redis.disconnect();
        return Promise.resolve();
      },
    });
    const metrics = new PushMetrics(createRegistry('emitter-test'));
    const prefix = `${ns.prefix}:redelivery`;
    const pusher = new StatusPusher(
      {
        url: new URL(`${sink.url}${STATUS_PATH}`),
        headers: {},
        timeoutMs: 1000,
        giveUpAfterMs: 0,
        backoffMs: 10,
        maxBackoffMs: 10,
        maxConnections: 4,
      },
      metrics,
      silentLogger(),
    );
    const delivery = new StatusDelivery(
      new StatusOutbox(redis, prefix, 'life-1', 3000),
      pusher,
      metrics,
      silentLogger(),
      { leaseMs: 3000, systemId: 's' },
    );
    running.push({
      stop: async () => {
        await delivery.stop(1000);
        pusher.close();
      },
    });
    const handler = emitterHandler({
      claims: new StatusClaims(redis, prefix, 3600, {
        owner: 'life-1',
        leaseMs: 3000,
        maxPending: 1000,
      }),
      delivery,
      metrics,
      logger: silentLogger(),
    });
    const events = [
      login('r1', '10:00:00'),
      state('r1', '10:01:00', 'READY', 'Ready', 'AVAILABLE'),
    ];
    const batch = {
      topic: 't',
      partition: 0,
      stream: 'agents' as const,
      events: events.map((event, i) => ({
        event,
        atMs: Date.parse(event.occurredAt) as EpochMs,
        offset: String(i),
        timestampMs: Date.now(),
      })),
    };
    const context = { heartbeat: () => Promise.resolve(), reject: () => undefined };
    await handler(batch, context);
    await waitFor(() => pushesOf(sink).length === 3 && delivery.pending === 0, {
      message: 'three pushes',
    });
    // the process died before committing: the same batch comes again
    await handler(batch, context);
    await delivery.stop(1000);
    expect(pushesOf(sink)).toHaveLength(3);
    // every push carried a key of its own
    const keys = sink.received(STATUS_PATH).map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(3);
  });

  it('delivers what a dead emitter claimed and never sent, once its lease runs out, before what follows', async () => {
    // on a loaded machine an attempt may time out: it is sent again (the same key), never
    // given up, since what this checks is the takeover and its order
    const { topic, sink } = await setUp({
      PUSH_LEASE: '3s',
      PUSH_TIMEOUT: '1s',
      PUSH_GIVE_UP_AFTER: '60s',
    });
    const redis = connectRedis({ ...redisConnection(stack), name: 'emitter-test' });
    running.push({
      stop: () => {
        redis.disconnect();
        return Promise.resolve();
      },
    });
    // another emitter claimed these and died before sending anything
    const dead = new StatusClaims(redis, ns.prefix, 3600, {
      owner: 'dead',
      leaseMs: 1000,
      maxPending: 1000,
    });
    const claimed = await dead.claim(
      [login('k1', '14:00:00'), state('k1', '14:01:00', 'READY', 'Ready', 'AVAILABLE')].map(
        (event) => ({
          agentId: event.agentId,
          eventId: event.eventId,
          occurredAtMs: Date.parse(event.occurredAt),
          change:
            event.type === 'agent.loggedIn'
              ? { kind: 'login' as const, code: 'LOGGED_IN', name: 'Logged in' }
              : { kind: 'state' as const, code: 'READY', name: 'Ready' },
        }),
      ),
    );
    expect(claimed.map((r) => r.claimed && r.delivery)).toEqual(['leased', 'leased']);
    // a later change reaches the live emitter first: it waits behind the dead one's lease
    await publish(topic, [state('k1', '14:02:00', 'BUSY', 'Talking', 'BUSY')]);
    // each push once, by its Idempotency-Key (an attempt that timed out comes again with it)
    const distinct = (): Push[] => {
      const first = new Map<string, Push>();
      for (const r of sink.received(STATUS_PATH)) {
        const key = String(r.headers['idempotency-key']);
        if ((r.body as Push).workerId === 'k1' && !first.has(key)) first.set(key, r.body as Push);
      }
      return [...first.values()];
    };
    await waitFor(() => distinct().length >= 5, {
      timeoutMs: 30_000,
      message: "k1's five pushes",
    });
    expect(distinct().map((p) => `${p.action}:${p.stateCode}`)).toEqual([
      '1:LOGGED_IN',
      '0:LOGGED_IN',
      '1:READY',
      '0:READY',
      '1:BUSY',
    ]);
  });

  it('retries then drops what one agent cannot deliver, while other agents keep flowing', async () => {
    // long enough for a retry even when a refused attempt takes a while (a loaded machine)
    const { topic, group, sink, emitter } = await setUp({ PUSH_GIVE_UP_AFTER: '400ms' });
    sink.setFault((r) => ((r.body as Push).workerId === 'bad' ? 'reset' : undefined));
    await publish(topic, [login('bad', '11:00:00'), login('good', '11:00:00')]);
    await publish(topic, [
      state('bad', '11:01:00', 'READY', 'Ready', 'AVAILABLE'),
      state('good', '11:01:00', 'READY', 'Ready', 'AVAILABLE'),
      state('good', '11:02:00', 'BUSY', 'Talking', 'BUSY'),
    ]);
    await waitFor(() => pushesOf(sink, 'good').length === 5, { message: "good's five pushes" });
    await waitForGroupCaughtUp(group, [topic]);
    // bad: 3 pushes (entry; exit + entry), each retried for 400 ms, then dropped
    const counts = await waitFor(
      async () => {
        const c = await pushCounts(emitter);
        return c.dropped === 3 ? c : undefined;
      },
      { message: 'three drops' },
    );
    expect(counts).toMatchObject({ sent: 5, dropped: 3 });
    expect(counts.retried).toBeGreaterThanOrEqual(3);
    expect(pushesOf(sink, 'bad')).toEqual([]);
  });

  it('keeps consuming while the WFM is down, and pushes again once it is back', async () => {
    const { topic, group, sink, emitter } = await setUp();
    await publish(topic, [login('d1', '12:00:00')]);
    await waitFor(() => pushesOf(sink).length === 1, { message: 'the login push' });
    const port = sink.port;
    await sink.stop();
    await publish(topic, [
      state('d1', '12:01:00', 'READY', 'Ready', 'AVAILABLE'),
      state('d1', '12:02:00', 'BUSY', 'Talking', 'BUSY'),
    ]);
    await waitForGroupCaughtUp(group, [topic]);
    await waitFor(async () => (await pushCounts(emitter)).dropped === 4, {
      message: 'four drops',
    });
    const back = await startWfmSink({ port });
    running.push(back);
    await publish(topic, [state('d1', '12:03:00', 'ACW', 'Wrap-up', 'AFTER_CONTACT_WORK')]);
    await waitFor(() => pushesOf(back).length === 2, { message: 'pushes after the outage' });
    expect(pushesOf(back).map((p) => [p.action, p.stateCode])).toEqual([
      [0, 'BUSY'],
      [1, 'ACW'],
    ]);
    // counted once the answer is in (the sink records a push before it answers)
    await waitFor(async () => (await pushCounts(emitter)).sent === 3, { message: 'three sent' });
    expect(await pushCounts(emitter)).toMatchObject({ sent: 3, dropped: 4 });
  });

  it('delivers every push after a long WFM outage, once each and in order per agent', async () => {
    const { topic, group, sink, emitter } = await setUp({
      PUSH_GIVE_UP_AFTER: '10m',
      PUSH_RETRY_BACKOFF_MAX: '300ms',
    });
    await publish(topic, [login('o1', '13:00:00'), login('o2', '13:00:00')]);
    await waitFor(() => pushesOf(sink).length === 2, { message: 'the login pushes' });
    const port = sink.port;
    await sink.stop();
    const changes = [];
    for (let m = 1; m <= 5; m++)
      for (const agent of ['o1', 'o2'])
        changes.push(
          state(
            agent,
            `13:0${m}:00`,
            m % 2 === 0 ? 'BUSY' : 'READY',
            'S',
            m % 2 === 0 ? 'BUSY' : 'AVAILABLE',
          ),
        );
    await publish(topic, changes);
    await waitForGroupCaughtUp(group, [topic]);
    // the WFM stays away while the emitter keeps retrying: about 10 s of backoff rounds
    // (the default gives up after 10 minutes)
    await waitFor(async () => ((await pushCounts(emitter)).retried ?? 0) >= 60, {
      timeoutMs: 60_000,
      message: 'retries during the outage',
    });
    const back = await startWfmSink({ port });
    running.push(back);
    await waitFor(() => pushesOf(back).length === 20, { timeoutMs: 30_000, message: 'every push' });
    for (const agent of ['o1', 'o2']) {
      const sequence = pushesOf(back, agent).map((p) => `${p.action}:${p.stateCode}`);
      expect(sequence).toEqual(
        [1, 2, 3, 4, 5].flatMap((m, i) => [
          `0:${i === 0 ? 'LOGGED_IN' : m % 2 === 0 ? 'READY' : 'BUSY'}`,
          `1:${m % 2 === 0 ? 'BUSY' : 'READY'}`,
        ]),
      );
    }
    expect(await pushCounts(emitter)).toMatchObject({ dropped: 0 });
  });
});
