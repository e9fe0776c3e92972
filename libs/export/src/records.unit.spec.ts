import { HIST, HIST_LENGTH, MINUTE_MS, parseDayNumber, TimeZone } from '@wfm-stream/core';
import { describe, expect, it } from 'vitest';

import {
  agentNameOf,
  computeIntervalRecords,
  type ExportInterval,
  type HistoricBucket,
  intervalsOfDay,
  type RecordInputs,
  recordsHash,
  secondsHalfUp,
  type SessionSpan,
} from './index.js';

const T0 = Date.UTC(2024, 5, 1, 10, 0);
const Q = 15 * MINUTE_MS;
const interval: ExportInterval = { startMs: T0, endMs: T0 + Q };
const s = (seconds: number): number => T0 + seconds * 1000;

function bucket(
  startMs: number,
  entries: Partial<Record<keyof typeof HIST, number>>,
): HistoricBucket {
  const vector = new Array<number>(HIST_LENGTH).fill(0);
  for (const [name, value] of Object.entries(entries))
    vector[HIST[name as keyof typeof HIST]] = value;
  return { startMs, vector };
}

/** The records of an interval (the test's by default) from these inputs, the rest empty. */
function recordsOf(overrides: Partial<RecordInputs>, of: ExportInterval = interval) {
  return computeIntervalRecords(of, {
    groups: new Map(),
    agentNames: new Map(),
    buckets: new Map(),
    contacts: new Map(),
    sessions: new Map(),
    directOut: new Map(),
    ...overrides,
  });
}

describe('secondsHalfUp', () => {
  it.each([
    [0, 0],
    [499, 0],
    [500, 1],
    [1_499, 1],
    [1_500, 2],
    [59_999, 60],
  ])('%d ms is %d s', (ms, seconds) => {
    expect(secondsHalfUp(ms)).toBe(seconds);
  });
});

describe('queue statistics', () => {
  it('sums the buckets inside the interval: offered by offer time, answered and contact time by end time', () => {
    const records = recordsOf({
      groups: new Map([['sales', { name: 'Sales', active: true }]]),
      buckets: new Map([
        [
          'sales',
          [
            bucket(T0 - MINUTE_MS, {
              received: 9,
              endedHandled: 9,
              endedHandledContactMs: 9_000,
            }),
            bucket(T0, {
              received: 3,
              treated: 2,
              endedHandled: 1,
              endedHandledContactMs: 60_400,
            }),
            bucket(T0 + 14 * MINUTE_MS, {
              received: 1,
              endedHandled: 2,
              endedHandledContactMs: 30_100,
            }),
            bucket(T0 + Q, { received: 7 }),
          ],
        ],
      ]),
    });
    expect(records.queueStatistics).toEqual([
      {
        intervalStartDateTime: '2024-06-01T10:00:00Z',
        queueId: 'sales',
        queueName: 'Sales',
        offeredContacts: 4,
        answeredContacts: 3,
        // 60.4 s + 30.1 s = 90.5 s: summed in ms, then rounded half up
        contactTime: 91,
      },
    ]);
  });

  it('reports every active group, zeros included, and other groups only with figures', () => {
    const records = recordsOf({
      groups: new Map([
        ['a', { name: 'A', active: true }],
        ['b', { name: 'B', active: false }],
        ['c', { name: 'C', active: false }],
      ]),
      buckets: new Map([
        ['c', [bucket(T0, { received: 1 })]],
        ['ghost', [bucket(T0, { endedHandled: 1, endedHandledContactMs: 1_000 })]],
      ]),
    });
    expect(records.queueStatistics.map((q) => [q.queueId, q.queueName, q.offeredContacts])).toEqual(
      [
        ['a', 'A', 0],
        ['c', 'C', 1],
        ['ghost', 'ghost', 0],
      ],
    );
  });
});

describe('agent activity', () => {
  it('counts the contacts an agent answered in the interval, per group', () => {
    const records = recordsOf({
      groups: new Map([['sales', { name: 'Sales', active: true }]]),
      agentNames: new Map([['a1', 'j.smith']]),
      contacts: new Map([
        [
          'a1',
          [
            // answered before the interval: not this interval's
            {
              contactId: 'c0',
              groupId: 'sales',
              answeredMs: s(-1),
              endedMs: s(100),
              wrapped: true,
            },
            {
              contactId: 'c1',
              groupId: 'sales',
              answeredMs: s(0),
              endedMs: s(100.25),
              wrapped: true,
            },
            // ended after the interval: its whole duration counts here
            {
              contactId: 'c2',
              groupId: 'sales',
              answeredMs: s(800),
              endedMs: s(1_000.25),
              wrapped: false,
            },
            // still open: answered, no contact time
            { contactId: 'c3', groupId: 'sales', answeredMs: s(850), wrapped: false },
            {
              contactId: 'c4',
              groupId: 'support',
              answeredMs: s(899.999),
              endedMs: s(950),
              wrapped: true,
            },
          ],
        ],
      ]),
    });
    expect(records.agentActivity).toEqual([
      {
        intervalStartDateTime: '2024-06-01T10:00:00Z',
        queueId: 'sales',
        queueName: 'Sales',
        agentId: 'a1',
        agentName: 'j.smith',
        contactTime: 301, // 100.25 s + 200.25 s = 300.5 s
        answeredContacts: 3,
        completedContacts: 1,
      },
      {
        intervalStartDateTime: '2024-06-01T10:00:00Z',
        queueId: 'support',
        queueName: 'support',
        agentId: 'a1',
        agentName: 'j.smith',
        contactTime: 50,
        answeredContacts: 1,
        completedContacts: 1,
      },
    ]);
  });
});

describe('agent login', () => {
  /** The interval's agent login records for these sessions and direct contacts, per agent. */
  const loginsOf = (
    sessions: Record<string, readonly SessionSpan[]>,
    directOut: Record<string, readonly number[]> = {},
  ) =>
    recordsOf({
      sessions: new Map(Object.entries(sessions)),
      directOut: new Map(Object.entries(directOut)),
    }).agentLogin;

  it('clips sessions to the interval, open ones included, and counts direct outgoing contacts', () => {
    const logins = loginsOf(
      {
        a1: [
          { startMs: s(-3_600), endMs: s(120.4) },
          { startMs: s(600), endMs: s(700.5) },
        ],
        a2: [{ startMs: s(300), endMs: Number.POSITIVE_INFINITY }],
        a3: [{ startMs: s(-7_200), endMs: s(-1) }],
        a4: [{ startMs: s(0.2), endMs: s(0.6) }],
      },
      { a3: [s(10), s(899), s(900)], a5: [s(-1)] },
    );
    // a1: 120.4 s + 100.5 s = 220.9 s; a2: open since 300 s; a3: out of session, two
    // direct contacts inside; a4: 0.4 s rounds to nothing; a5: nothing inside
    expect(logins.map((l) => [l.agentId, l.loginTime, l.directOutContacts])).toEqual([
      ['a1', 221, 0],
      ['a2', 600, 0],
      ['a3', 0, 2],
    ]);
  });

  it('never reports more than the interval, even for overlapping sessions', () => {
    const logins = loginsOf({
      a1: [
        { startMs: s(-10), endMs: s(500) },
        { startMs: s(400), endMs: Number.POSITIVE_INFINITY },
      ],
    });
    expect(logins[0]?.loginTime).toBe(900);
  });
});

describe('a daylight-saving day', () => {
  it('reports intervals of real time, named in UTC, around the repeated hour', () => {
    const berlin = TimeZone.of('Europe/Berlin')!;
    const day = intervalsOfDay(berlin, Q, parseDayNumber('2024-10-27')!);
    // 02:45 CEST (00:45Z) is followed by 02:00 CET (01:00Z)
    const before = day[11]!;
    const after = day[12]!;
    const session = new Map([
      ['a1', [{ startMs: before.startMs + 5 * MINUTE_MS, endMs: after.startMs + 5 * MINUTE_MS }]],
    ]);
    const first = recordsOf({ sessions: session }, before);
    const second = recordsOf({ sessions: session }, after);
    expect(first.agentLogin[0]).toMatchObject({
      intervalStartDateTime: '2024-10-27T00:45:00Z',
      loginTime: 600,
    });
    expect(second.agentLogin[0]).toMatchObject({
      intervalStartDateTime: '2024-10-27T01:00:00Z',
      loginTime: 300,
    });
  });
});

describe('names and hashes', () => {
  it('names agents by login, then name, then id', () => {
    expect(agentNameOf('a1', { name: 'John', surname: 'Smith', loginSSO: 'j.smith' })).toBe(
      'j.smith',
    );
    expect(agentNameOf('a1', { name: 'John', surname: 'Smith' })).toBe('John Smith');
    expect(agentNameOf('a1', { name: ' ', loginSSO: '' })).toBe('a1');
    expect(agentNameOf('a1')).toBe('a1');
  });

  it('truncates names to 100 characters (services/exporter/README.md, "Decisions where the iService integration is silent")', () => {
    const long = 'x'.repeat(150);
    const records = recordsOf({ groups: new Map([['g', { name: long, active: true }]]) });
    expect(records.queueStatistics[0]?.queueName).toHaveLength(100);
  });

  it('hashes equal records equally and different ones differently', () => {
    const a = recordsOf({ groups: new Map([['g', { name: 'G', active: true }]]) });
    const b = recordsOf({ groups: new Map([['g', { name: 'G', active: true }]]) });
    const c = recordsOf({ groups: new Map([['g', { name: 'H', active: true }]]) });
    expect(recordsHash(a)).toBe(recordsHash(b));
    expect(recordsHash(a)).not.toBe(recordsHash(c));
    expect(recordsHash(a)).toMatch(/^[0-9a-f]{16}$/);
  });
});
