import { fc, test } from '@fast-check/vitest';
import { validateEvent, type WfmEvent } from '@wfm-stream/schemas';
import { describe, expect, it } from 'vitest';

import {
  ACROSS_MIDNIGHT,
  agentIdOf,
  clock,
  contactIdOf,
  groupBy,
  instant,
  log,
  row,
} from './fixtures.spec.js';
import { CALL_TYPES, parseCallLog, planReplay, type ReplayOptions } from './index.js';

const plan = (text: string, options: ReplayOptions = {}) =>
  planReplay(parseCallLog(text), { agentStates: false, ...options });
const eventsOf = (...rows: string[]): WfmEvent[] => plan(log(...rows)).events;

/**
 * A contact event the replay makes of call `call` (its contactId) at `time` of 1999-02-01
 * in Israel (+02:00), as a test expects it.
 */
function contactEvent(
  call: string,
  type: 'contact.offered' | 'contact.answered' | 'contact.ended',
  time: string,
  fields: Record<string, unknown>,
): WfmEvent {
  const suffix = { 'contact.offered': 'o', 'contact.answered': 'a', 'contact.ended': 'e' }[type];
  const occurredAt = `1999-02-01T${time}+02:00`;
  return { eventId: `${call}-${suffix}`, type, occurredAt, contactId: call, ...fields } as WfmEvent;
}

const offered = (call: string, time: string, extra: Record<string, string> = {}): WfmEvent =>
  contactEvent(call, 'contact.offered', time, {
    groupId: 'PS',
    channel: 'INCOMING_CALLS',
    ...extra,
  });
const answered = (call: string, time: string, agentId: string): WfmEvent =>
  contactEvent(call, 'contact.answered', time, { agentId, ringMs: 0 });
const ended = (call: string, time: string, outcome: string, talkMs?: number): WfmEvent =>
  contactEvent(call, 'contact.ended', time, {
    outcome,
    ...(talkMs === undefined ? {} : { talkMs }),
  });

describe('one call → its contact events', () => {
  it('AGENT, queued, served by a named agent: offered at q_start, answered, HANDLED', () => {
    const p = plan(
      log(
        row({
          'vru+line': 'AA0203',
          call_id: '34600',
          customer_id: '555',
          type: 'NE',
          q_start: '10:00:10',
          q_exit: '10:01:00',
          ser_start: '10:00:59',
          ser_exit: '10:04:00',
          server: 'DORIT',
        }),
      ),
    );
    expect(p.events).toEqual<WfmEvent[]>([
      offered('AA0203-34600', '10:00:10', { groupId: 'NE', customerId: '555' }),
      answered('AA0203-34600', '10:00:59', 'DORIT'),
      ended('AA0203-34600', '10:04:00', 'HANDLED', 181_000),
    ]);
    expect(p.stats).toEqual({
      rows: 1,
      contacts: 1,
      skippedInVru: 0,
      phantom: 0,
      handled: 1,
      abandoned: 0,
      agents: 1,
      days: 1,
    });
  });

  it('AGENT straight from the VRU, service stamped before it: offered at vru_exit, clamped', () => {
    expect(eventsOf(row({ ser_start: '10:00:08', ser_exit: '10:01:10', server: 'GILI' }))).toEqual<
      WfmEvent[]
    >([
      offered('AA0101-1', '10:00:10'),
      answered('AA0101-1', '10:00:10', 'GILI'),
      ended('AA0101-1', '10:01:10', 'HANDLED', 60_000),
    ]);
  });

  it('AGENT with service by NO_SERVER: HANDLED with its talk time, no answer', () => {
    expect(eventsOf(row({ ser_start: '10:00:20', ser_exit: '10:00:50' }))).toEqual<WfmEvent[]>([
      offered('AA0101-1', '10:00:10'),
      ended('AA0101-1', '10:00:50', 'HANDLED', 30_000),
    ]);
  });

  it('AGENT without service times: HANDLED with no talk at q_exit, or vru_exit', () => {
    const p = plan(
      log(
        row({ call_id: '1', q_start: '10:00:10', q_exit: '10:02:00', server: 'TOVA' }),
        row({ call_id: '2', vru_entry: '11:00:00', vru_exit: '11:00:07', server: 'TOVA' }),
      ),
    );
    expect(p.events).toEqual<WfmEvent[]>([
      offered('AA0101-1', '10:00:10'),
      ended('AA0101-1', '10:02:00', 'HANDLED', 0),
      offered('AA0101-2', '11:00:07'),
      ended('AA0101-2', '11:00:07', 'HANDLED', 0),
    ]);
    expect(p.stats.agents).toBe(0);
  });

  it('HANG in the VRU: no events; HANG in the queue: ABANDONED at q_exit, service ignored', () => {
    const p = plan(
      log(
        row({ call_id: '1', outcome: 'HANG' }),
        row({
          call_id: '2',
          outcome: 'HANG',
          customer_id: '77',
          q_start: '10:00:10',
          q_exit: '10:02:00',
          ser_start: '10:01:59',
          ser_exit: '10:03:00',
        }),
      ),
    );
    expect(p.events).toEqual<WfmEvent[]>([
      offered('AA0101-2', '10:00:10', { customerId: '77' }),
      ended('AA0101-2', '10:02:00', 'ABANDONED'),
    ]);
    expect(p.stats).toMatchObject({ rows: 2, contacts: 1, skippedInVru: 1, abandoned: 1 });
  });

  it('PHANTOM: BOT_CLOSED at q_exit, or at the last time of the row when it never queued', () => {
    const p = plan(
      log(
        row({
          call_id: '1',
          type: 'NW',
          outcome: 'PHANTOM',
          q_start: '10:00:10',
          q_exit: '10:00:40',
          ser_start: '10:00:39',
          ser_exit: '10:00:45',
        }),
        row({ call_id: '2', outcome: 'PHANTOM', ser_start: '10:00:12', ser_exit: '10:00:15' }),
      ),
    );
    expect(p.events).toEqual<WfmEvent[]>([
      offered('AA0101-1', '10:00:10', { groupId: 'NW' }),
      offered('AA0101-2', '10:00:10'),
      ended('AA0101-2', '10:00:15', 'BOT_CLOSED'),
      ended('AA0101-1', '10:00:40', 'BOT_CLOSED'),
    ]);
    expect(p.stats).toMatchObject({ contacts: 2, phantom: 2, handled: 0 });
  });

  it('a call across midnight ends on the next day', () => {
    expect(
      eventsOf(row(ACROSS_MIDNIGHT)).map((e) => [
        e.eventId,
        e.occurredAt,
        'talkMs' in e ? e.talkMs : undefined,
      ]),
    ).toEqual([
      ['AA0101-1-o', '1999-02-01T23:59:00+02:00', undefined],
      ['AA0101-1-a', '1999-02-02T00:01:29+02:00', undefined],
      ['AA0101-1-e', '1999-02-02T00:05:00+02:00', 211_000],
    ]);
  });

  it('publishes the directory at local midnight of the first day', () => {
    const p = plan(
      log(
        row({ call_id: '1', date: '990202', type: 'NE', ser_start: '10:00:10', server: 'DORIT' }),
        row({ call_id: '2', date: '990203', type: 'IN', ser_start: '10:00:10', server: 'DORIT' }),
        row({ call_id: '3', date: '990203', type: 'NE', server: 'ANAT' }),
      ),
    );
    expect(p.directory).toEqual<WfmEvent[]>([
      {
        eventId: 'dir-service-bank',
        type: 'service.upserted',
        occurredAt: '1999-02-02T00:00:00+02:00',
        serviceId: 'bank',
        name: 'Anonymous Bank',
        status: 'ACTIVE',
      },
      ...(
        [
          ['PS', 'Regular'],
          ['PE', 'Regular (English)'],
          ['IN', 'Internet'],
          ['NE', 'Stock exchange'],
          ['NW', 'Prospects'],
          ['TT', 'Call-back requests'],
        ] as const
      ).map(([groupId, name]): WfmEvent => ({
        eventId: `dir-group-${groupId}`,
        type: 'group.upserted',
        occurredAt: '1999-02-02T00:00:00+02:00',
        groupId,
        serviceId: 'bank',
        name,
        status: 'ACTIVE',
        channelType: 'INCOMING_CALLS',
      })),
      {
        eventId: 'dir-agent-ANAT',
        type: 'agent.upserted',
        occurredAt: '1999-02-02T00:00:00+02:00',
        agentId: 'ANAT',
        name: 'Anat',
        groupIds: ['NE'],
      },
      {
        eventId: 'dir-agent-DORIT',
        type: 'agent.upserted',
        occurredAt: '1999-02-02T00:00:00+02:00',
        agentId: 'DORIT',
        name: 'Dorit',
        groupIds: ['IN', 'NE'],
      },
    ]);
    expect(p.stats).toMatchObject({ days: 2, agents: 1 });
    expect(p.startMs).toBe(Date.UTC(1999, 1, 1, 22));
    expect(p.endMs).toBe(Date.UTC(1999, 1, 3, 22));
  });
});

describe('options', () => {
  const threeDays = log(
    row({ call_id: '1', date: '990201', vru_entry: '7:02:40', vru_exit: '7:02:47' }),
    row({ call_id: '2', date: '990202', vru_entry: '9:15:00', vru_exit: '9:15:05' }),
    row({ call_id: '3', date: '990203', vru_entry: '23:59:50', vru_exit: '0:00:05' }),
  );
  const offers = (options: ReplayOptions) =>
    plan(threeDays, options)
      .events.filter((e) => e.type === 'contact.offered')
      .map((e) => [e.eventId, e.occurredAt]);

  it('rebaseTo moves days and keeps local wall-clock times, in the new date’s offset', () => {
    expect(offers({ rebaseTo: '2024-07-01' })).toEqual([
      ['AA0101-1-o', '2024-07-01T07:02:47+03:00'],
      ['AA0101-2-o', '2024-07-02T09:15:05+03:00'],
      ['AA0101-3-o', '2024-07-04T00:00:05+03:00'],
    ]);
    const p = plan(threeDays, { rebaseTo: '2024-07-01' });
    expect(p.directory[0]?.occurredAt).toBe('2024-07-01T00:00:00+03:00');
    expect(p.startMs).toBe(Date.UTC(2024, 5, 30, 21));
    expect(p.endMs).toBe(Date.UTC(2024, 6, 3, 21));
    expect(offers({ from: '1999-02-02', rebaseTo: '2030-01-15' })).toEqual([
      ['AA0101-2-o', '2030-01-15T09:15:05+02:00'],
      ['AA0101-3-o', '2030-01-17T00:00:05+02:00'],
    ]);
  });

  it('rebaseTo resolves daylight-saving changes: a skipped time moves forward, a repeated one is its first', () => {
    const night = log(
      row({ call_id: '1', vru_entry: '2:29:00', vru_exit: '2:30:00' }),
      row({ call_id: '2', vru_entry: '1:29:00', vru_exit: '1:30:00' }),
    );
    const offered = (rebaseTo: string) =>
      plan(night, { rebaseTo })
        .events.filter((e) => e.type === 'contact.offered')
        .map((e) => e.occurredAt);
    // Israel: 2024-03-29 02:00 → 03:00; 2024-10-27 02:00 → 01:00.
    expect(offered('2024-03-29')).toEqual([
      '2024-03-29T01:30:00+02:00',
      '2024-03-29T03:30:00+03:00',
    ]);
    expect(offered('2024-10-27')).toEqual([
      '2024-10-27T01:30:00+03:00',
      '2024-10-27T02:30:00+02:00',
    ]);
  });

  it('from and to select local days by the row’s date, both included', () => {
    expect(offers({ from: '1999-02-02' }).map(([id]) => id)).toEqual(['AA0101-2-o', 'AA0101-3-o']);
    expect(offers({ to: '1999-02-02' }).map(([id]) => id)).toEqual(['AA0101-1-o', 'AA0101-2-o']);
    expect(offers({ from: '1999-02-02', to: '1999-02-02' })).toEqual([
      ['AA0101-2-o', '1999-02-02T09:15:05+02:00'],
    ]);
    expect(plan(threeDays, { from: '1999-02-03' }).stats).toMatchObject({ rows: 1, days: 1 });
    const { stats, ...none } = plan(threeDays, { from: '1999-03-01' });
    expect(none).toEqual({ directory: [], events: [], startMs: 0, endMs: 0 });
    // every figure a plan counts, each 0
    const figures = Object.keys(plan(threeDays).stats);
    expect(stats).toEqual(Object.fromEntries(figures.map((name) => [name, 0])));
    expect(() => plan(threeDays, { from: '1999-2-1' })).toThrow(TypeError);
    expect(() => plan(threeDays, { rebaseTo: '2024-02-30' })).toThrow(TypeError);
  });

  // Daytime only: Israel changes clocks around midnight or 02:00, where a wall time can be
  // skipped (and is moved forward, as the test above shows).
  const daytime = log(
    row({
      call_id: '1',
      date: '990201',
      vru_exit: '7:02:47',
      ser_start: '7:03:00',
      ser_exit: '7:09:00',
      server: 'DORIT',
    }),
    row({
      call_id: '2',
      date: '990202',
      type: 'NE',
      q_start: '10:00:10',
      q_exit: '10:05:00',
      outcome: 'HANG',
    }),
    row({
      call_id: '3',
      date: '990203',
      vru_exit: '20:40:00',
      ser_start: '20:41:00',
      ser_exit: '20:45:00',
      server: 'TOVA',
    }),
  );

  test.prop([fc.integer({ min: 0, max: 40 * 366 })], { numRuns: 40 })(
    'rebaseTo keeps every wall-clock time and moves every date by the same days',
    (daysAfter1995) => {
      const target = new Date(Date.UTC(1995, 0, 1) + daysAfter1995 * 86_400_000);
      const rebaseTo = target.toISOString().slice(0, 10);
      const original = plan(daytime, { agentStates: true }).events;
      const moved = plan(daytime, { agentStates: true, rebaseTo }).events;
      const shift = Math.round((target.getTime() - Date.UTC(1999, 1, 1)) / 86_400_000);
      expect(
        moved.map((e) => [e.eventId.replace(/-\d{8}-/, '-'), e.occurredAt.slice(11, 19)]),
      ).toEqual(
        original.map((e) => [e.eventId.replace(/-\d{8}-/, '-'), e.occurredAt.slice(11, 19)]),
      );
      for (const [i, e] of moved.entries()) {
        const before = Date.parse(`${original[i]?.occurredAt.slice(0, 10) ?? ''}T00:00:00Z`);
        expect(Date.parse(`${e.occurredAt.slice(0, 10)}T00:00:00Z`) - before).toBe(
          shift * 86_400_000,
        );
      }
    },
  );
});

describe('synthesized agent states', () => {
  const served = (
    call: string,
    date: string,
    type: string,
    from: string,
    to: string,
    server: string,
  ) =>
    row({
      call_id: call,
      date,
      type,
      vru_entry: from,
      vru_exit: from,
      ser_start: from,
      ser_exit: to,
      server,
    });
  /** The replay of these rows of the log, agent states synthesized (the default). */
  const replayOf = (...rows: string[]) => planReplay(parseCallLog(log(...rows)));

  it('logs in, is BUSY while serving (re-stated on a group change), READY between, logs out', () => {
    const p = replayOf(
      served('1', '990201', 'PS', '10:00:10', '10:05:00', 'DORIT'),
      served('2', '990201', 'NE', '10:04:00', '10:06:00', 'DORIT'),
      served('3', '990201', 'NE', '10:06:00', '10:07:00', 'DORIT'),
      served('4', '990201', 'PS', '10:30:00', '10:31:00', 'DORIT'),
      served('5', '990202', 'PS', '9:00:00', '9:01:00', 'DORIT'),
    );
    const ready = { stateCode: 'READY', stateName: 'Ready', category: 'AVAILABLE' } as const;
    const talking = { stateCode: 'TALKING', stateName: 'Talking', category: 'BUSY' } as const;
    const id = (day: string, n: number) => `DORIT-${day}-${n}`;
    const at = (day: string, time: string) => `1999-02-${day}T${time}+02:00`;
    expect(p.events.filter((e) => e.type.startsWith('agent.'))).toEqual<WfmEvent[]>([
      {
        eventId: id('19990201', 1),
        type: 'agent.loggedIn',
        occurredAt: at('01', '09:55:10'),
        agentId: 'DORIT',
        ...ready,
      },
      {
        eventId: id('19990201', 2),
        type: 'agent.stateChanged',
        occurredAt: at('01', '10:00:10'),
        agentId: 'DORIT',
        ...talking,
        groupId: 'PS',
      },
      {
        eventId: id('19990201', 3),
        type: 'agent.stateChanged',
        occurredAt: at('01', '10:04:00'),
        agentId: 'DORIT',
        ...talking,
        groupId: 'NE',
      },
      {
        eventId: id('19990201', 4),
        type: 'agent.stateChanged',
        occurredAt: at('01', '10:07:00'),
        agentId: 'DORIT',
        ...ready,
      },
      {
        eventId: id('19990201', 5),
        type: 'agent.stateChanged',
        occurredAt: at('01', '10:30:00'),
        agentId: 'DORIT',
        ...talking,
        groupId: 'PS',
      },
      {
        eventId: id('19990201', 6),
        type: 'agent.stateChanged',
        occurredAt: at('01', '10:31:00'),
        agentId: 'DORIT',
        ...ready,
      },
      {
        eventId: id('19990201', 7),
        type: 'agent.loggedOut',
        occurredAt: at('01', '10:36:00'),
        agentId: 'DORIT',
      },
      {
        eventId: id('19990202', 1),
        type: 'agent.loggedIn',
        occurredAt: at('02', '08:55:00'),
        agentId: 'DORIT',
        ...ready,
      },
      {
        eventId: id('19990202', 2),
        type: 'agent.stateChanged',
        occurredAt: at('02', '09:00:00'),
        agentId: 'DORIT',
        ...talking,
        groupId: 'PS',
      },
      {
        eventId: id('19990202', 3),
        type: 'agent.stateChanged',
        occurredAt: at('02', '09:01:00'),
        agentId: 'DORIT',
        ...ready,
      },
      {
        eventId: id('19990202', 4),
        type: 'agent.loggedOut',
        occurredAt: at('02', '09:06:00'),
        agentId: 'DORIT',
      },
    ]);
  });

  it('keeps a night shift across midnight one session', () => {
    const p = replayOf(
      served('1', '990201', 'PS', '23:50:00', '23:58:00', 'BENSION'),
      served('2', '990202', 'PS', '0:01:00', '0:05:00', 'BENSION'),
    );
    expect(
      p.events
        .filter((e) => e.type.startsWith('agent.'))
        .map((e) => [e.eventId, e.type, e.occurredAt]),
    ).toEqual([
      ['BENSION-19990201-1', 'agent.loggedIn', '1999-02-01T23:45:00+02:00'],
      ['BENSION-19990201-2', 'agent.stateChanged', '1999-02-01T23:50:00+02:00'],
      ['BENSION-19990201-3', 'agent.stateChanged', '1999-02-01T23:58:00+02:00'],
      ['BENSION-19990201-4', 'agent.stateChanged', '1999-02-02T00:01:00+02:00'],
      ['BENSION-19990201-5', 'agent.stateChanged', '1999-02-02T00:05:00+02:00'],
      ['BENSION-19990201-6', 'agent.loggedOut', '1999-02-02T00:10:00+02:00'],
    ]);
  });

  it('are left out with agentStates: false, the contact events unchanged', () => {
    const text = log(served('1', '990201', 'PS', '10:00:00', '10:01:00', 'DORIT'));
    const without = planReplay(parseCallLog(text), { agentStates: false }).events;
    const withStates = planReplay(parseCallLog(text)).events;
    expect(without.map((e) => e.type)).toEqual([
      'contact.offered',
      'contact.answered',
      'contact.ended',
    ]);
    expect(withStates.filter((e) => !e.type.startsWith('agent.'))).toEqual(without);
    expect(withStates.length).toBeGreaterThan(without.length);
  });
});

/** Random rows, as the log writes them: times wrap at midnight, services start early. */
const randomRow = fc.record({
  day: fc.integer({ min: 1, max: 3 }),
  entry: fc.integer({ min: 0, max: 86_399 }),
  inVru: fc.integer({ min: -60, max: 120 }),
  queue: fc.option(fc.integer({ min: 0, max: 900 }), { nil: undefined }),
  service: fc.option(
    fc.record({
      early: fc.integer({ min: 0, max: 400 }),
      talk: fc.integer({ min: 0, max: 3_000 }),
    }),
    { nil: undefined },
  ),
  outcome: fc.constantFrom('AGENT', 'AGENT', 'HANG', 'PHANTOM'),
  server: fc.constantFrom('NO_SERVER', 'ANAT', 'BASCH', 'GILI'),
  type: fc.constantFrom(...CALL_TYPES),
  customer: fc.constantFrom('0', '0', '1001', '1002'),
});

type AgentState = 'OUT' | 'IDLE' | 'BUSY';

type RowSpec = typeof randomRow extends fc.Arbitrary<infer T> ? T : never;

function toRows(specs: readonly RowSpec[]): string[] {
  return specs.map((s, i) => {
    const vruExit = s.entry + 10 + s.inVru;
    const qStart = s.queue === undefined ? undefined : vruExit;
    const qExit = qStart === undefined || s.queue === undefined ? undefined : qStart + s.queue;
    const reached = qExit ?? vruExit;
    const serStart = s.service === undefined ? undefined : reached - s.service.early;
    const serExit =
      serStart === undefined || s.service === undefined ? undefined : serStart + s.service.talk;
    const at = (t: number | undefined) => (t === undefined ? '0:00:00' : clock(t === 0 ? 1 : t));
    return row({
      call_id: String(i + 1),
      customer_id: s.customer,
      type: s.type,
      date: `9902${String(s.day).padStart(2, '0')}`,
      vru_entry: clock(s.entry),
      vru_exit: clock(vruExit),
      q_start: at(qStart),
      q_exit: at(qExit),
      outcome: s.outcome,
      ser_start: at(serStart),
      ser_exit: at(serExit),
      server: s.server,
    });
  });
}

describe('invariants on random logs', () => {
  test.prop([fc.array(randomRow, { minLength: 1, maxLength: 60 })], { numRuns: 60 })(
    'valid events in time order; every contact offered, answered, ended in that order',
    (specs) => {
      const records = parseCallLog(log(...toRows(specs)));
      const p = planReplay(records);
      for (const e of [...p.directory, ...p.events]) expect(validateEvent(e).ok).toBe(true);
      const instants = p.events.map(instant);
      for (let i = 1; i < instants.length; i++) {
        expect(instants[i]!).toBeGreaterThanOrEqual(instants[i - 1]!);
      }
      expect(new Set(p.events.map((e) => e.eventId)).size).toBe(p.events.length);

      const contacts = groupBy(p.events, contactIdOf);
      expect(contacts.size).toBe(p.stats.contacts);
      expect(p.stats.contacts).toBe(p.stats.rows - p.stats.skippedInVru);
      expect(p.stats.handled + p.stats.abandoned + p.stats.phantom).toBe(p.stats.contacts);
      for (const events of contacts.values()) {
        const types = events.map((e) => e.type);
        expect([
          ['contact.offered', 'contact.ended'],
          ['contact.offered', 'contact.answered', 'contact.ended'],
        ]).toContainEqual(types);
        const [offered, answered, ended] = events.map(instant);
        expect(answered!).toBeGreaterThanOrEqual(offered!);
        if (ended !== undefined) expect(ended).toBeGreaterThanOrEqual(answered!);
        const last = events.at(-1);
        if (types.length === 3 && last?.type === 'contact.ended') {
          expect(last.talkMs).toBe(ended! - answered!);
        }
      }
    },
  );

  test.prop([fc.array(randomRow, { minLength: 1, maxLength: 80 })], { numRuns: 60 })(
    'each agent: logged in first, states only while logged in, BUSY through every call, logged out last',
    (specs) => {
      const p = plan(log(...toRows(specs)));
      const answered = new Map<string, { agentId: string; from: number; to: number }>();
      for (const events of groupBy(p.events, contactIdOf).values()) {
        const a = events.find((e) => e.type === 'contact.answered');
        const end = events.at(-1);
        if (a?.type === 'contact.answered' && end !== undefined) {
          answered.set(a.contactId, { agentId: a.agentId, from: instant(a), to: instant(end) });
        }
      }
      for (const [agentId, events] of groupBy(p.events, agentIdOf)) {
        let state = 'OUT' as AgentState;
        let code = '';
        const timeline: [number, AgentState][] = [];
        for (const e of events) {
          if (e.type === 'agent.loggedIn') {
            expect(state).toBe('OUT');
            state = 'IDLE';
            code = e.stateCode ?? '';
          } else if (e.type === 'agent.loggedOut') {
            expect(state).toBe('IDLE');
            state = 'OUT';
          } else if (e.type === 'agent.stateChanged') {
            expect(state).not.toBe('OUT');
            // idle: READY, wrap-up or not ready, each a change of state
            if (e.category !== 'BUSY') expect(e.stateCode).not.toBe(code);
            state = e.category === 'BUSY' ? 'BUSY' : 'IDLE';
            code = e.stateCode;
          }
          timeline.push([instant(e), state]);
        }
        expect(state).toBe('OUT');
        const stateAt = (ms: number) => timeline.filter(([t]) => t <= ms).at(-1)?.[1];
        for (const call of answered.values()) {
          if (call.agentId !== agentId) continue;
          if (call.to > call.from) expect(stateAt(call.from)).toBe('BUSY');
          else {
            // a call of no length: BUSY and READY again at the same instant, or already BUSY
            const around = timeline.filter(([t]) => t === call.from).map(([, s]) => s);
            expect([stateAt(call.from - 1), ...around]).toContain('BUSY');
          }
          for (const [t, s] of timeline) if (t > call.from && t < call.to) expect(s).toBe('BUSY');
        }
      }
      expect(
        plan(log(...toRows(specs)), { agentStates: false }).events.some(
          (e) => agentIdOf(e) !== undefined,
        ),
      ).toBe(false);
    },
  );

  test.prop([fc.array(randomRow, { maxLength: 40 }), fc.boolean()], { numRuns: 30 })(
    'the same input gives the same plan',
    (specs, agentStates) => {
      const text = log(...toRows(specs));
      expect(planReplay(parseCallLog(text), { agentStates, rebaseTo: '2025-03-27' })).toEqual(
        planReplay(parseCallLog(text), { agentStates, rebaseTo: '2025-03-27' }),
      );
    },
  );
});
