import fs from 'node:fs';

import { parseOffsetInstant, validateEvent, type WfmEvent } from '@wfm-stream/schemas';
import { describe, expect, it } from 'vitest';

import {
  BUNDLED_CALL_LOG,
  CallLogError,
  loadBundledCallLog,
  parseCallLog,
  planReplay,
} from './index.js';

const HEADER =
  'vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver';

function log(...rows: string[]): string {
  return [HEADER, ...rows].join('\n');
}

function row(fields: Partial<Record<string, string>>): string {
  const defaults: Record<string, string> = {
    'vru+line': 'AA0101',
    call_id: '1',
    customer_id: '0',
    priority: '0',
    type: 'PS',
    date: '990201',
    vru_entry: '10:00:00',
    vru_exit: '10:00:10',
    vru_time: '10',
    q_start: '0:00:00',
    q_exit: '0:00:00',
    q_time: '0',
    outcome: 'AGENT',
    ser_start: '0:00:00',
    ser_exit: '0:00:00',
    ser_time: '0',
    server: 'NO_SERVER',
  };
  return HEADER.split('\t')
    .map((column) => fields[column] ?? defaults[column] ?? '')
    .join('\t');
}

const plan = (text: string, agentStates = false) => planReplay(parseCallLog(text), { agentStates });

describe('mapping a call', () => {
  it('maps a queued, served call: offered at the queue, answered and ended by the agent', () => {
    const { events } = plan(
      log(
        row({
          customer_id: '555',
          q_start: '10:00:10',
          q_exit: '10:01:00',
          ser_start: '10:00:59',
          ser_exit: '10:04:00',
          server: 'DORIT',
        }),
      ),
    );
    expect(events).toEqual([
      {
        eventId: 'AA0101-1-o',
        type: 'contact.offered',
        occurredAt: '1999-02-01T10:00:10+02:00',
        contactId: 'AA0101-1',
        groupId: 'PS',
        channel: 'INCOMING_CALLS',
        customerId: '555',
      },
      {
        eventId: 'AA0101-1-a',
        type: 'contact.answered',
        occurredAt: '1999-02-01T10:00:59+02:00',
        contactId: 'AA0101-1',
        agentId: 'DORIT',
        ringMs: 0,
      },
      {
        eventId: 'AA0101-1-e',
        type: 'contact.ended',
        occurredAt: '1999-02-01T10:04:00+02:00',
        contactId: 'AA0101-1',
        outcome: 'HANDLED',
        talkMs: 181_000,
      },
    ]);
  });

  it('moves a service that starts before the offer to the offer time', () => {
    const { events } = plan(
      log(row({ ser_start: '10:00:08', ser_exit: '10:01:10', server: 'GILI' })),
    );
    expect(events.map((e) => e.occurredAt)).toEqual([
      '1999-02-01T10:00:10+02:00',
      '1999-02-01T10:00:10+02:00',
      '1999-02-01T10:01:10+02:00',
    ]);
    expect(events[2]).toMatchObject({ talkMs: 60_000 });
  });

  it('skips callers who hung up in the VRU, abandons those who hung up in the queue', () => {
    const p = plan(
      log(
        row({ call_id: '1', outcome: 'HANG' }),
        row({ call_id: '2', outcome: 'HANG', q_start: '10:00:10', q_exit: '10:02:00' }),
      ),
    );
    expect(p.stats).toMatchObject({ rows: 2, contacts: 1, skippedInVru: 1, abandoned: 1 });
    expect(
      p.events.map((e) => [e.type, (e as { outcome?: string }).outcome, e.occurredAt]),
    ).toEqual([
      ['contact.offered', undefined, '1999-02-01T10:00:10+02:00'],
      ['contact.ended', 'ABANDONED', '1999-02-01T10:02:00+02:00'],
    ]);
  });

  it('closes phantom calls as bot-closed, and serves NO_SERVER calls without an agent', () => {
    const p = plan(
      log(
        row({
          call_id: '1',
          outcome: 'PHANTOM',
          q_start: '10:00:10',
          q_exit: '10:00:40',
          ser_start: '10:00:39',
          ser_exit: '10:00:45',
        }),
        row({ call_id: '2', ser_start: '10:00:09', ser_exit: '10:00:15' }),
      ),
    );
    const outcomes = Object.fromEntries(
      p.events
        .filter((e) => e.type === 'contact.ended')
        .map((e) => [(e as { contactId: string }).contactId, (e as { outcome: string }).outcome]),
    );
    expect(outcomes).toEqual({ 'AA0101-1': 'BOT_CLOSED', 'AA0101-2': 'HANDLED' });
    expect(p.events.some((e) => e.type === 'contact.answered')).toBe(false);
    expect(p.stats).toMatchObject({ phantom: 1, handled: 1 });
  });

  it('carries a call over midnight into the next day', () => {
    const { events } = plan(
      log(
        row({
          vru_entry: '23:58:00',
          vru_exit: '23:59:00',
          q_start: '23:59:00',
          q_exit: '0:01:30',
          ser_start: '0:01:30',
          ser_exit: '0:05:00',
          server: 'TOVA',
        }),
      ),
    );
    expect(events.map((e) => e.occurredAt)).toEqual([
      '1999-02-01T23:59:00+02:00',
      '1999-02-02T00:01:30+02:00',
      '1999-02-02T00:05:00+02:00',
    ]);
  });

  it('names the line of a malformed row', () => {
    expect(() => parseCallLog(log(row({}), row({ ser_start: '25:00:00' })))).toThrow(
      new CallLogError(3, 'ser_start is not a time of day: "25:00:00"'),
    );
    expect(() => parseCallLog(log(row({ outcome: 'LOST' })))).toThrow(
      /^line 2: outcome is not AGENT, HANG or PHANTOM/,
    );
    expect(() => parseCallLog(log('AA0101\t1'))).toThrow(/^line 2: missing column/);
  });
});

describe('the bundled month', () => {
  const records = loadBundledCallLog();
  const month = planReplay(records);

  it('maps every row into valid events in time order', () => {
    expect(records).toHaveLength(33_344);
    expect(month.stats).toEqual({
      rows: 33_344,
      contacts: 31_403,
      skippedInVru: 1_941,
      phantom: 278,
      handled: 27_162,
      abandoned: 3_963,
      agents: 24,
      days: 28,
    });
    const instants = month.events.map((e) => parseOffsetInstant(e.occurredAt)?.ms ?? Number.NaN);
    for (let i = 1; i < instants.length; i++) expect(instants[i]! >= instants[i - 1]!).toBe(true);
    for (const event of [...month.directory, ...month.events])
      expect(validateEvent(event).ok).toBe(true);
  });

  it('offers, per group, exactly the calls of the raw file that reached a group (1999-02-01)', () => {
    const raw = fs
      .readFileSync(BUNDLED_CALL_LOG, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'));
    const expected: Record<string, number> = {};
    for (const cells of raw) {
      const [, , , , type = '', date, , , , qStart, , , outcome] = cells;
      if (date !== '990201') continue;
      if (
        outcome === 'AGENT' ||
        outcome === 'PHANTOM' ||
        (outcome === 'HANG' && qStart !== '0:00:00')
      )
        expected[type] = (expected[type] ?? 0) + 1;
    }
    const day = planReplay(records, { from: '1999-02-01', to: '1999-02-01' });
    const offered: Record<string, number> = {};
    for (const e of day.events)
      if (e.type === 'contact.offered') offered[e.groupId] = (offered[e.groupId] ?? 0) + 1;
    expect(offered).toEqual(expected);
  });

  it('keeps each contact in order: offered, then answered, then ended', () => {
    const seen = new Map<string, string[]>();
    for (const e of month.events)
      if ('contactId' in e) seen.set(e.contactId, [...(seen.get(e.contactId) ?? []), e.type]);
    for (const types of seen.values()) {
      expect(types[0]).toBe('contact.offered');
      expect(types.slice(1).every((t) => t === 'contact.answered' || t === 'contact.ended')).toBe(
        true,
      );
      if (types.includes('contact.answered'))
        expect(types.indexOf('contact.answered')).toBeLessThan(types.indexOf('contact.ended'));
    }
  });

  it('synthesizes agent sessions that open, change state, and close', () => {
    const byAgent = new Map<string, WfmEvent[]>();
    for (const e of month.events)
      if (e.type.startsWith('agent.') && 'agentId' in e)
        byAgent.set(e.agentId, [...(byAgent.get(e.agentId) ?? []), e]);
    expect(byAgent.size).toBe(24);
    for (const events of byAgent.values()) {
      let loggedIn = false;
      for (const e of events) {
        if (e.type === 'agent.loggedIn') {
          expect(loggedIn).toBe(false);
          loggedIn = true;
        } else if (e.type === 'agent.loggedOut') {
          expect(loggedIn).toBe(true);
          loggedIn = false;
        } else expect(loggedIn).toBe(true);
      }
      expect(loggedIn).toBe(false);
    }
    expect(
      planReplay(records, { from: '1999-02-01', to: '1999-02-01', agentStates: false }).events.some(
        (e) => e.type.startsWith('agent.'),
      ),
    ).toBe(false);
  });

  it('rebases days keeping local wall-clock times, summer offset included', () => {
    const moved = planReplay(records, {
      from: '1999-02-01',
      to: '1999-02-02',
      rebaseTo: '2024-07-01',
      agentStates: false,
    });
    const original = planReplay(records, {
      from: '1999-02-01',
      to: '1999-02-02',
      agentStates: false,
    });
    expect(moved.events).toHaveLength(original.events.length);
    expect(moved.events[0]?.occurredAt).toBe(
      original.events[0]?.occurredAt
        .replace('1999-02-01', '2024-07-01')
        .replace('+02:00', '+03:00'),
    );
    // calls running past midnight of the second day end on the third, in both
    expect(original.events.at(-1)?.occurredAt.slice(0, 10)).toBe('1999-02-03');
    expect(moved.events.at(-1)?.occurredAt.slice(0, 10)).toBe('2024-07-03');
    expect(moved.directory[0]?.occurredAt).toBe('2024-07-01T00:00:00+03:00');
  });

  it('plans the same way every time', () => {
    expect(planReplay(records, { from: '1999-02-03', to: '1999-02-03' })).toEqual(
      planReplay(records, { from: '1999-02-03', to: '1999-02-03' }),
    );
  });
});
