import { fc, test } from '@fast-check/vitest';
import { TimeZone } from '@wfm-stream/core';
import { silentLogger } from '@wfm-stream/observability';
import type { AgentEvent, ContactEvent, DirectoryEvent } from '@wfm-stream/schemas';
import {
  AgentAggregation,
  AgentQueries,
  connectRedis,
  ContactAggregation,
  DirectoryStore,
  Keys,
  OnlineQueries,
  type RedisClient,
} from '@wfm-stream/store';
import { redisConnection, redisNamespace } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type RunningReader, startReader } from './index.js';
import { groupsOnlineLoadRoute } from './routes/online.js';
import { serializerFor } from './serializer.js';
import { contact, dir, readerTestConfig, state } from './testing/fixture.js';

/**
 * The online figures (docs/api.md, "Online endpoints") against a straightforward
 * recomputation from the raw events, for a live day in Europe/Berlin that crosses
 * midnight into the day summer time starts (a 23-hour day), with events arriving in any
 * order and more than once.
 */
const ns = redisNamespace();
/** The HTTP test's deployment: a key prefix of its own (a prefix cannot contain ":"). */
const httpNs = redisNamespace();
const zone = TimeZone.of('Europe/Berlin') ?? TimeZone.UTC;
const SERVICE_LEVEL_MS = 20_000;
/** 2024-03-30 21:00 Berlin; local midnight (start of the 23-hour 2024-03-31) is at 23:00Z. */
const T0 = Date.UTC(2024, 2, 30, 20, 0);
const MIDNIGHT = Date.UTC(2024, 2, 30, 23, 0);
const GROUPS = ['g1', 'g2'];
const AGENT_GROUPS: Record<string, string[]> = { a1: ['g1'], a2: ['g1', 'g2'], a3: ['g2'] };
let redis: RedisClient;
let run = 0;

const iso = (ms: number): string => new Date(ms).toISOString();

const directory: DirectoryEvent[] = [
  ...GROUPS.map((groupId) =>
    dir.group(`dir-${groupId}`, iso(T0), groupId, groupId, { serviceId: 's1' }),
  ),
  ...Object.entries(AGENT_GROUPS).map(([agentId, groupIds]) =>
    dir.agent(`dir-${agentId}`, iso(T0), agentId, { name: agentId, groupIds }),
  ),
];

interface ContactPlan {
  group: string;
  offeredAt: number;
  answer?: { afterMs: number; ringMs: number } | undefined;
  end?:
    | {
        afterMs: number;
        outcome: 'HANDLED' | 'ABANDONED' | 'TRANSFERRED' | 'BOT_CLOSED';
        talkMs: number;
        holdMs: number;
      }
    | undefined;
}

function contactEvents(n: number, c: ContactPlan): ContactEvent[] {
  const id = `c${n}`;
  const events = [contact.offered(id, iso(c.offeredAt), c.group)];
  // the end comes after the answer, or after the offer when there is none
  let last = c.offeredAt;
  if (c.answer !== undefined) {
    last += c.answer.afterMs;
    events.push(contact.answered(id, iso(last), { agentId: 'a1', ringMs: c.answer.ringMs }));
  }
  if (c.end !== undefined) {
    const { afterMs, ...ended } = c.end;
    events.push(contact.ended(id, iso(last + afterMs), ended));
  }
  return events;
}

/** The online figures of docs/api.md, read straight off the events. */
function reference(
  events: readonly (ContactEvent | AgentEvent)[],
  nowMs: number,
): Record<string, Record<string, number>> {
  const today = zone.dayNumberAt(nowMs);
  const isToday = (ms: number): boolean => zone.dayNumberAt(ms) === today;
  const contacts = new Map<string, Partial<Record<ContactEvent['type'], ContactEvent>>>();
  const latestAgent = new Map<string, AgentEvent>();
  for (const e of events) {
    if (e.type.startsWith('contact.')) {
      const c = e as ContactEvent;
      contacts.set(c.contactId, { ...contacts.get(c.contactId), [c.type]: c });
    } else {
      const a = e as AgentEvent;
      const seen = latestAgent.get(a.agentId);
      if (seen === undefined || Date.parse(a.occurredAt) > Date.parse(seen.occurredAt))
        latestAgent.set(a.agentId, a);
    }
  }
  const result: Record<string, Record<string, number>> = {};
  for (const g of GROUPS) {
    const f = {
      callNumber: 0,
      operatorNumber: 0,
      callReceived: 0,
      callAnswered: 0,
      callAnsweredTst: 0,
      callProcessing: 0,
    };
    let handle = 0;
    let treated = 0;
    let wait = 0;
    let waits = 0;
    for (const c of contacts.values()) {
      const offered = c['contact.offered'];
      const answered = c['contact.answered'];
      const ended = c['contact.ended'];
      if (offered?.type !== 'contact.offered' || offered.groupId !== g) continue;
      if (ended?.type === 'contact.ended' && ended.outcome === 'BOT_CLOSED') continue;
      const o = Date.parse(offered.occurredAt);
      if (answered === undefined && ended === undefined) f.callNumber++;
      if (answered !== undefined && ended === undefined) f.callProcessing++;
      if (isToday(o)) f.callReceived++;
      if (answered?.type === 'contact.answered') {
        const a = Date.parse(answered.occurredAt);
        if (isToday(a)) {
          f.callAnswered++;
          if (a - o <= SERVICE_LEVEL_MS) f.callAnsweredTst++;
          wait += a - o;
          waits++;
        }
      } else if (ended?.type === 'contact.ended' && ended.outcome === 'ABANDONED') {
        const e = Date.parse(ended.occurredAt);
        if (isToday(e)) {
          wait += e - o;
          waits++;
        }
      }
      if (
        ended?.type === 'contact.ended' &&
        (ended.outcome === 'HANDLED' || ended.outcome === 'TRANSFERRED') &&
        isToday(Date.parse(ended.occurredAt))
      ) {
        const ring = answered?.type === 'contact.answered' ? (answered.ringMs ?? 0) : 0;
        handle += ring + (ended.talkMs ?? 0) + (ended.holdMs ?? 0);
        treated++;
      }
    }
    for (const [agentId, a] of latestAgent) {
      const working =
        (a.type === 'agent.stateChanged' &&
          ['AVAILABLE', 'BUSY', 'AFTER_CONTACT_WORK'].includes(a.category)) ||
        (a.type === 'agent.loggedIn' && a.category !== undefined && a.category !== 'NOT_READY');
      if (working && AGENT_GROUPS[agentId]?.includes(g)) f.operatorNumber++;
    }
    const rounded = (sum: number, n: number): number => Math.floor(sum / n + 0.5);
    result[g] = {
      ...f,
      ...(treated > 0 && { aht: rounded(handle, treated) }),
      ...(f.callReceived > 0 && {
        acd: Math.round((f.callAnswered / f.callReceived) * 1_000_000) / 10_000,
      }),
      ...(waits > 0 && { awt: rounded(wait, waits) }),
    };
  }
  return result;
}

/** A duration from 0 to `maxMs`. */
const upTo = (maxMs: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: maxMs });
/** `arb`, or undefined: a step the contact has not reached. */
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined });

const contactArb: fc.Arbitrary<ContactPlan> = fc.record({
  group: fc.constantFrom(...GROUPS),
  // 21:00 to 03:00 local, in 30-second steps
  offeredAt: fc.integer({ min: 0, max: 6 * 120 }).map((n) => T0 + n * 30_000),
  answer: maybe(fc.record({ afterMs: upTo(60_000), ringMs: upTo(5_000) })),
  end: maybe(
    fc.record({
      afterMs: upTo(1_800_000),
      outcome: fc.constantFrom('HANDLED', 'ABANDONED', 'TRANSFERRED', 'BOT_CLOSED'),
      talkMs: upTo(600_000),
      holdMs: upTo(30_000),
    }),
  ),
});

const agentEventArb: fc.Arbitrary<AgentEvent> = fc
  .record({
    agentId: fc.constantFrom('a1', 'a2', 'a3'),
    at: fc.integer({ min: 0, max: 6 * 60 }).map((n) => T0 + n * 60_000),
    kind: fc.constantFrom(
      'login',
      'AVAILABLE',
      'BUSY',
      'AFTER_CONTACT_WORK',
      'NOT_READY',
      'logout',
    ),
    n: fc.nat(),
  })
  .map(({ agentId, at, kind, n }): AgentEvent => {
    const base = { eventId: `ag-${agentId}-${at}-${n}`, occurredAt: iso(at), agentId };
    if (kind === 'login') return { ...base, type: 'agent.loggedIn' };
    if (kind === 'logout') return { ...base, type: 'agent.loggedOut' };
    return {
      ...base,
      type: 'agent.stateChanged',
      stateCode: kind,
      stateName: kind,
      category: kind,
    };
  });

const scenarioArb = fc.record({
  contacts: fc.array(contactArb, { maxLength: 25 }),
  // agents' events at distinct instants per agent, so "latest" has one answer
  agents: fc.uniqueArray(agentEventArb, {
    maxLength: 12,
    selector: (e) => `${e.agentId}@${e.occurredAt}`,
  }),
  clocks: fc.uniqueArray(
    fc.integer({ min: 1, max: 6 * 12 }).map((n) => T0 + n * 300_000),
    {
      minLength: 1,
      maxLength: 3,
    },
  ),
  seed: fc.integer(),
});

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

beforeAll(() => {
  redis = connectRedis(redisConnection());
});

afterAll(async () => {
  redis.disconnect();
  await ns.cleanup();
  await httpNs.cleanup();
});

function stores(keys: Keys): {
  contacts: ContactAggregation;
  agents: AgentAggregation;
  directory: DirectoryStore;
} {
  return {
    contacts: new ContactAggregation(redis, keys, {
      zone,
      serviceLevelMs: () => SERVICE_LEVEL_MS,
      stateTtlSeconds: 86_400,
      retentionSeconds: 86_400,
    }),
    agents: new AgentAggregation(redis, keys, {
      dedupeWindowMs: 86_400_000,
      retentionSeconds: 86_400,
    }),
    directory: new DirectoryStore(redis, keys, 86_400),
  };
}

describe('groupsOnlineLoad', () => {
  test.prop([scenarioArb], { numRuns: 40 })(
    'matches a recomputation from the events at each moment of a live day across midnight',
    async ({ contacts, agents, clocks, seed }) => {
      run++;
      const keys = new Keys(`${ns.prefix}:r${run}`);
      const s = stores(keys);
      await s.directory.apply(directory);
      let now = 0;
      const route = groupsOnlineLoadRoute({
        agents: new AgentQueries(redis, keys),
        online: new OnlineQueries(redis, keys),
        directory: s.directory,
        zone,
        systemId: 'sys',
        maxIds: 10,
        now: () => now,
      });
      const all = [...contacts.flatMap((c, n) => contactEvents(n, c)), ...agents];
      const delivered = new Set<string>();
      for (const clock of [...clocks].sort((a, b) => a - b)) {
        // what has happened by the clock arrives, in any order, some of it twice
        const due = all.filter((e) => Date.parse(e.occurredAt) <= clock);
        const fresh = due.filter((e) => !delivered.has(e.eventId));
        const arrivals = shuffled([...fresh, ...due.slice(0, seed % 4)], seed + clock);
        for (const e of arrivals) delivered.add(e.eventId);
        await s.contacts.apply(
          arrivals.filter((e): e is ContactEvent => e.type.startsWith('contact.')),
        );
        await s.agents.apply(arrivals.filter((e): e is AgentEvent => e.type.startsWith('agent.')));
        now = clock;
        const answer = (await route.handle(
          { groupId: GROUPS.join(',') },
          serializerFor(route.response),
        )) as Record<string, unknown>[];
        const expected = reference(due, clock);
        expect(
          Object.fromEntries(answer.map(({ groupId, serviceId, ...f }) => [groupId, f])),
        ).toEqual(expected);
        expect(answer.every((row) => row.serviceId === 's1')).toBe(true);
      }
    },
  );
});

describe('the online endpoints over HTTP', () => {
  let reader: RunningReader;
  let now = MIDNIGHT - 60_000;
  const keys = (): Keys => new Keys(`${httpNs.prefix}:g0`);

  beforeAll(async () => {
    const s = stores(keys());
    await s.directory.apply(directory);
    await s.agents.apply([
      { eventId: 'l1', type: 'agent.loggedIn', occurredAt: iso(T0), agentId: 'a1' },
      state.working('s1', iso(T0 + 60_000), 'a1'),
      { eventId: 'l2', type: 'agent.loggedIn', occurredAt: iso(T0), agentId: 'a2' },
      state.onTechnicalBreak('s2', iso(T0 + 120_000), 'a2'),
      { eventId: 'l3', type: 'agent.loggedIn', occurredAt: iso(T0), agentId: 'a3' },
      { eventId: 'o3', type: 'agent.loggedOut', occurredAt: iso(T0 + 1_000), agentId: 'a3' },
    ]);
    await s.contacts.apply([
      ...contactEvents(1, {
        group: 'g1',
        offeredAt: MIDNIGHT - 600_000,
        answer: { afterMs: 10_000, ringMs: 1_000 },
        end: { afterMs: 60_000, outcome: 'HANDLED', talkMs: 59_000, holdMs: 0 },
      }),
      ...contactEvents(2, { group: 'g1', offeredAt: MIDNIGHT - 120_000 }),
    ]);
    reader = await startReader(
      readerTestConfig(httpNs.prefix, {
        TIMEZONE: 'Europe/Berlin',
        READER_API_KEYS: 'k',
      }),
      silentLogger(),
      { now: () => now },
    );
  });

  afterAll(async () => {
    await reader.stop();
  });

  const get = async (url: string): Promise<{ status: number; body: unknown }> => {
    const response = await reader.app.inject({ url, headers: { 'x-api-key': 'k' } });
    return { status: response.statusCode, body: response.json() };
  };

  it('lists logged-in agents with their current state, reason included', async () => {
    expect(await get('/online/agentStatus')).toEqual({
      status: 200,
      body: [
        {
          agentId: 'a1',
          stateCode: 'Work',
          stateName: 'Contact processing',
          startDate: iso(T0 + 60_000).replace('.000', ''),
        },
        {
          agentId: 'a2',
          stateCode: 'Break:Tech',
          stateName: 'Break / Technical break',
          startDate: iso(T0 + 120_000).replace('.000', ''),
        },
      ],
    });
  });

  it('rolls "today" over at local midnight, keeping what is waiting', async () => {
    now = MIDNIGHT - 60_000;
    expect(await get('/online/groupsOnlineLoad?groupId=g1')).toEqual({
      status: 200,
      body: [
        {
          serviceId: 's1',
          groupId: 'g1',
          callNumber: 1,
          operatorNumber: 1,
          callReceived: 2,
          aht: 60_000,
          acd: 50,
          awt: 10_000,
          callAnswered: 1,
          callAnsweredTst: 1,
          callProcessing: 0,
        },
      ],
    });
    // past midnight: none of the new day's counts yet, nobody talking; what waits counts on
    const newDay = { callReceived: 0, callAnswered: 0, callAnsweredTst: 0, callProcessing: 0 };
    now = MIDNIGHT;
    expect(await get('/online/groupsOnlineLoad?groupId=g1,g2')).toEqual({
      status: 200,
      body: [
        { serviceId: 's1', groupId: 'g1', callNumber: 1, operatorNumber: 1, ...newDay },
        { serviceId: 's1', groupId: 'g2', callNumber: 0, operatorNumber: 0, ...newDay },
      ],
    });
  });

  it('answers 400 without groups and 404 for groups nobody knows', async () => {
    expect((await get('/online/groupsOnlineLoad')).status).toBe(400);
    expect(await get('/online/groupsOnlineLoad?groupId=nope')).toMatchObject({
      status: 404,
      body: { field: 'groupId' },
    });
  });
});
