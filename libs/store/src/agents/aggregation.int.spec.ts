import { fc, test } from '@fast-check/vitest';
import { loginSpans, stateSpans, type TimelineEvent } from '@wfm-stream/core';
import type { AgentEvent } from '@wfm-stream/schemas';
import { redisNamespace } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { AgentAggregation, AgentQueries, Keys, type RedisClient } from '../index.js';
import { specRedis } from '../testing/redis.js';

const ns = redisNamespace();
let redis: RedisClient;
let run = 0;

specRedis(ns, (client) => (redis = client));

function fresh(): { aggregation: AgentAggregation; queries: AgentQueries } {
  run++;
  const keys = new Keys(`${ns.prefix}:r${run}`);
  return {
    aggregation: new AgentAggregation(redis, keys, {
      dedupeWindowMs: 7 * 86_400_000,
      retentionSeconds: 86_400,
    }),
    queries: new AgentQueries(redis, keys),
  };
}

const T0 = Date.UTC(2024, 2, 30, 20, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

function toEvent(agentId: string, e: TimelineEvent): AgentEvent {
  const base = { eventId: e.eventId, occurredAt: iso(e.atMs), agentId };
  if (e.kind === 'logout') return { ...base, type: 'agent.loggedOut' };
  if (e.kind === 'login') {
    return {
      ...base,
      type: 'agent.loggedIn',
      stateCode: e.state?.code,
      stateName: e.state?.name,
      category: 'AVAILABLE',
    };
  }
  return {
    ...base,
    type: 'agent.stateChanged',
    stateCode: e.state?.code ?? 'X',
    stateName: e.state?.name ?? 'X',
    category: 'BUSY',
    groupId: e.state?.groupId,
  };
}

const timelineArb = fc
  .array(
    fc.record({
      // minutes over two and a half days, so spans cross UTC midnight; few distinct values so ties happen
      minute: fc.integer({ min: 0, max: 3_600 }).map((m) => m - (m % 7)),
      kind: fc.constantFrom('login', 'logout', 'state', 'state', 'state'),
      code: fc.constantFrom('READY', 'TALKING', 'BREAK'),
      group: fc.option(fc.constantFrom('g1', 'g2'), { nil: undefined }),
    }),
    { maxLength: 25 },
  )
  .map((raw) =>
    raw.map((r, i): TimelineEvent => ({
      eventId: `e${String(i).padStart(2, '0')}`,
      atMs: T0 + r.minute * 60_000,
      kind: r.kind,
      ...(r.kind === 'logout'
        ? {}
        : {
            state: {
              code: r.code,
              name: r.code.toLowerCase(),
              category: r.kind === 'login' ? 'AVAILABLE' : 'BUSY',
              groupId: r.kind === 'state' ? r.group : undefined,
            },
          }),
    })),
  );

/** The events as delivered: shuffled, with some delivered twice, in batches. */
/** The status spans the store must read back for `events`, as the core folds them. */
const expectedStatus = (events: TimelineEvent[]) =>
  stateSpans(events).map((s) => ({
    startMs: s.start.atMs,
    endMs: s.endMs,
    stateCode: s.start.state?.code,
    stateName: s.start.state?.name,
    category: s.start.state?.category,
    groupId: s.start.state?.groupId,
    serviceId: undefined,
  }));

const deliveryArb = (events: TimelineEvent[]) =>
  fc.tuple(
    fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
    fc.array(fc.nat(), { maxLength: 5 }),
    fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
  );

describe('AgentAggregation', () => {
  test.prop([timelineArb.chain((events) => fc.tuple(fc.constant(events), deliveryArb(events)))], {
    numRuns: 60,
  })(
    'keeps exactly the spans of the reference, for any delivery order, batching and duplicates',
    async ([events, [shuffled, duplicates, batchSizes]]) => {
      const { aggregation, queries } = fresh();
      const delivery = [...shuffled];
      for (const d of duplicates)
        if (events.length > 0)
          delivery.splice(d % (delivery.length + 1), 0, events[d % events.length]!);
      let i = 0;
      let b = 0;
      while (i < delivery.length) {
        const size = batchSizes[b++ % batchSizes.length]!;
        await aggregation.apply(delivery.slice(i, i + size).map((e) => toEvent('a1', e)));
        i += size;
      }
      const from = T0 - 86_400_000;
      const to = T0 + 4 * 86_400_000;
      const status = (await queries.statusSpans(['a1'], from, to)).get('a1') ?? [];
      expect(status).toEqual(expectedStatus(events));
      const logins = (await queries.loginSpans(['a1'], from, to)).get('a1') ?? [];
      expect(logins).toEqual(
        loginSpans(events).map((s) => ({ startMs: s.start.atMs, endMs: s.endMs })),
      );
    },
  );

  it('packs a closed day, takes events that arrive after it, and reads the same spans', async () => {
    run++;
    const keys = new Keys(`${ns.prefix}:r${run}`);
    const aggregation = new AgentAggregation(redis, keys, {
      dedupeWindowMs: 7 * 86_400_000,
      retentionSeconds: 86_400,
    });
    const queries = new AgentQueries(redis, keys);
    const day = Math.floor(T0 / 86_400_000);
    const state = (eventId: string, atMs: number, code: string): TimelineEvent => ({
      eventId,
      atMs,
      kind: 'state',
      state: { code, name: code.toLowerCase(), category: 'BUSY', groupId: 'g1' },
    });
    const events: TimelineEvent[] = [
      {
        eventId: 'login-1',
        atMs: T0,
        kind: 'login',
        state: { code: 'READY', name: 'ready', category: 'AVAILABLE' },
      },
      state('state-10', T0 + 60_000, 'TALKING'),
      state('state-11', T0 + 120_000, 'READY'),
      state('state-12', T0 + 120_000, 'BREAK'),
    ];
    const expected = async (all: TimelineEvent[]): Promise<void> => {
      const spans = await queries.statusSpans(['p1'], T0 - 86_400_000, T0 + 4 * 86_400_000);
      expect(spans.get('p1') ?? []).toEqual(expectedStatus(all));
      // a period of the next UTC day only still sees the span that began on the packed day
      const next = (day + 1) * 86_400_000;
      const later = await queries.statusSpans(['p1'], next, next + 86_400_000);
      expect(later.get('p1')?.[0]).toMatchObject({
        startMs: stateSpans(all).find((x) => x.start.atMs < next && x.endMs > next)?.start.atMs,
      });
    };
    await aggregation.apply(events.map((e) => toEvent('p1', e)));
    const closing = state('state-2', T0 + 2 * 86_400_000, 'READY');
    await aggregation.apply([toEvent('p1', closing)]);
    expect(await redis.exists(keys.timeline('p1', 'tl', day))).toBe(0);
    expect(await redis.exists(keys.packedTimeline('p1', day))).toBe(1);
    expect(await redis.pttl(keys.packedTimeline('p1', day))).toBeGreaterThan(0);
    await expected([...events, closing]);

    // after the day was packed: a new event, and one already packed again (its id forgotten)
    const late = state('state-13', T0 + 180_000, 'TALKING');
    await redis.del(keys.agentEventIds('p1', day));
    await aggregation.apply([toEvent('p1', late), toEvent('p1', events[1]!)]);
    expect(await redis.zcard(keys.timeline('p1', 'tl', day))).toBe(2);
    await expected([...events, late, closing]);

    // the next packing merges them
    const fourth = state('state-3', T0 + 3 * 86_400_000, 'BREAK');
    await aggregation.apply([toEvent('p1', fourth)]);
    expect(await redis.exists(keys.timeline('p1', 'tl', day))).toBe(0);
    await expected([...events, late, closing, fourth]);
  });

  it('selects spans that overlap the period and reports them unclipped', async () => {
    const { aggregation, queries } = fresh();
    const at = (h: number): number => T0 + h * 3_600_000;
    await aggregation.apply([
      toEvent('a2', {
        eventId: 'l',
        atMs: at(0),
        kind: 'login',
        state: { code: 'READY', name: 'Ready', category: 'AVAILABLE' },
      }),
      toEvent('a2', {
        eventId: 's',
        atMs: at(2),
        kind: 'state',
        state: { code: 'BREAK', name: 'Break', category: 'BUSY' },
      }),
      toEvent('a2', { eventId: 'o', atMs: at(5), kind: 'logout' }),
    ]);
    const spans = (await queries.statusSpans(['a2'], at(1), at(3))).get('a2') ?? [];
    expect(spans.map((s) => [s.startMs, s.endMs, s.stateCode])).toEqual([
      [at(0), at(2), 'READY'],
      [at(2), at(5), 'BREAK'],
    ]);
    expect((await queries.statusSpans(['a2'], at(5), at(6))).get('a2')).toBeUndefined();
    expect((await queries.loginSpans(['a2'], at(4), at(9))).get('a2')).toEqual([
      { startMs: at(0), endMs: at(5) },
    ]);
  });

  it('reads back direct outgoing contacts in the period, once each', async () => {
    const { aggregation, queries } = fresh();
    const direct = (eventId: string, atMs: number, groupId?: string): AgentEvent => ({
      eventId,
      type: 'agent.directOutContact',
      occurredAt: new Date(atMs).toISOString(),
      agentId: 'd1',
      kind: 'EMAIL',
      ...(groupId === undefined ? {} : { groupId }),
    });
    const first = direct('x1', T0 + 60_000, 'g1');
    await aggregation.apply([
      first,
      direct('x2', T0 + 120_000),
      first,
      direct('x3', T0 + 7_200_000),
    ]);
    expect((await queries.directOut(['d1'], T0, T0 + 3_600_000)).get('d1')).toEqual([
      { atMs: T0 + 60_000, kind: 'EMAIL', groupId: 'g1' },
      { atMs: T0 + 120_000, kind: 'EMAIL', groupId: undefined },
    ]);
  });

  it('keeps the latest state of each agent online, whatever order it hears them in', async () => {
    const { aggregation, queries } = fresh();
    const login: AgentEvent = {
      eventId: 'i',
      type: 'agent.loggedIn',
      occurredAt: iso(T0),
      agentId: 'a3',
    };
    const brk: AgentEvent = {
      eventId: 'b',
      type: 'agent.stateChanged',
      occurredAt: iso(T0 + 60_000),
      agentId: 'a3',
      stateCode: 'BREAK',
      stateName: 'Break',
      reasonCode: 'LUNCH',
      reasonName: 'Lunch',
      category: 'NOT_READY',
    };
    await aggregation.apply([brk]);
    await aggregation.apply([login]);
    const online = (await queries.online()).get('a3');
    expect(online).toMatchObject({
      loggedIn: true,
      stateCode: 'BREAK:LUNCH',
      stateName: 'Break / Lunch',
      category: 'NOT_READY',
      startMs: T0 + 60_000,
      loginMs: T0,
    });
    await aggregation.apply([
      { eventId: 'o', type: 'agent.loggedOut', occurredAt: iso(T0 + 120_000), agentId: 'a3' },
    ]);
    expect((await queries.online()).get('a3')?.loggedIn).toBe(false);
  });
});
