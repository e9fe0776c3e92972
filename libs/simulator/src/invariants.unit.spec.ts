import { TimeZone } from '@wfm-stream/core';
import type { WfmEvent } from '@wfm-stream/schemas';
import { describe, expect, it } from 'vitest';

import {
  type CenterRecord,
  checkCenter,
  hourlyFigures,
  type Invariant,
  type PlannedShift,
} from './index.js';

/** Small hand-made streams, each breaking one invariant (and a clean one breaking none). */

const T0 = Date.UTC(2026, 11, 2, 9, 0);
const MIN = 60_000;
const at = (minutes: number): string => new Date(T0 + minutes * MIN).toISOString();

let seq = 0;
function ev(minutes: number, body: Record<string, unknown>): WfmEvent {
  return { eventId: `e${++seq}`, occurredAt: at(minutes), ...body } as unknown as WfmEvent;
}

const directory: WfmEvent[] = [
  ev(0, {
    type: 'group.upserted',
    groupId: 'sales',
    name: 'Sales',
    status: 'ACTIVE',
    channelType: 'INCOMING_CALLS',
  }),
  ev(0, {
    type: 'group.upserted',
    groupId: 'chat',
    name: 'Chat',
    status: 'ACTIVE',
    channelType: 'CHATS',
  }),
  ev(0, { type: 'agent.upserted', agentId: 'a1', name: 'A', groupIds: ['sales'] }),
  ev(0, { type: 'agent.upserted', agentId: 'a2', name: 'B', groupIds: ['chat'] }),
];

const READY = { stateCode: 'READY', stateName: 'Ready', category: 'AVAILABLE' };
const TALKING = { stateCode: 'TALKING', stateName: 'Talking', category: 'BUSY' };
const login = (m: number, agentId = 'a1'): WfmEvent =>
  ev(m, { type: 'agent.loggedIn', agentId, ...READY });
const logout = (m: number, agentId = 'a1'): WfmEvent => ev(m, { type: 'agent.loggedOut', agentId });
const state = (m: number, s: object, agentId = 'a1'): WfmEvent =>
  ev(m, { type: 'agent.stateChanged', agentId, ...s });
const offer = (m: number, contactId: string, groupId = 'sales'): WfmEvent =>
  ev(m, {
    type: 'contact.offered',
    contactId,
    groupId,
    channel: groupId === 'chat' ? 'CHATS' : 'INCOMING_CALLS',
  });
const answer = (m: number, contactId: string, agentId = 'a1'): WfmEvent =>
  ev(m, { type: 'contact.answered', contactId, agentId, ringMs: 0 });
const end = (m: number, contactId: string, outcome = 'HANDLED'): WfmEvent =>
  ev(m, { type: 'contact.ended', contactId, outcome });

const shift = (
  agentId: string,
  fromMin: number,
  toMin: number,
  breaks: PlannedShift['breaks'] = [],
): PlannedShift => ({
  agentId,
  dayNumber: Math.floor(T0 / 86_400_000),
  startMs: T0 + fromMin * MIN,
  endMs: T0 + toMin * MIN,
  breaks,
});

function check(events: WfmEvent[], overrides: Partial<CenterRecord> = {}): Invariant[] {
  return checkCenter({
    directory,
    events,
    windowStartMs: T0,
    windowEndMs: T0 + 600 * MIN,
    shifts: [shift('a1', 0, 480)],
    rules: {
      capacity: { calls: 1, chats: 2 },
      logoutGraceMs: 15 * MIN,
      breakStartToleranceMs: 30 * MIN,
      fateShownWithinMs: 0,
      isOpen: (ms, groupId) => groupId === 'chat' || ms < T0 + 13 * 60 * MIN,
    },
    ...overrides,
  }).map((v) => v.invariant);
}

describe('checkCenter', () => {
  it('finds nothing wrong in a plausible stream', () => {
    expect(
      check([
        login(0),
        offer(10, 'c1'),
        state(10, { ...TALKING, groupId: 'sales' }),
        answer(10, 'c1'),
        end(15, 'c1'),
        state(15, READY),
        logout(480),
      ]),
    ).toEqual([]);
  });

  it('finds the agent who never logs out after its shift (the stuck demo)', () => {
    expect(
      check([login(0), ev(590, { type: 'agent.directOutContact', agentId: 'a1', kind: 'EMAIL' })]),
    ).toEqual(['shift', 'shift']);
  });

  it('finds a logout long after the shift, a login outside it, a shift nobody works', () => {
    expect(check([login(0), logout(500)])).toEqual(['shift']);
    expect(check([login(0), logout(480), login(490), logout(495)])).toEqual(['shift']);
    expect(
      check([login(0), logout(480)], { shifts: [shift('a1', 0, 480), shift('a1', 500, 560)] }),
    ).toEqual(['shift']);
  });

  it('finds sessions that contradict themselves', () => {
    expect(check([login(0), login(1), logout(480)])).toEqual(['session']);
    expect(check([state(0, READY)])).toContain('session');
    expect(check([login(0), offer(1, 'c1'), answer(1, 'c1'), logout(2), end(3, 'c1')])).toContain(
      'session',
    );
  });

  it('finds a contact waiting while an agent of its group is READY', () => {
    expect(check([login(0), offer(10, 'c1'), end(12, 'c1', 'ABANDONED'), logout(480)])).toEqual([
      'routing',
    ]);
    // a contact a bot closes, or one the agent's other group gets, does not wait for it
    expect(check([login(0), offer(10, 'c1'), end(12, 'c1', 'BOT_CLOSED'), logout(480)])).toEqual(
      [],
    );
    expect(
      check([login(0), offer(10, 'c1', 'chat'), end(12, 'c1', 'ABANDONED'), logout(480)]),
    ).toEqual([]);
  });

  it('finds more chats in hand than the concurrency allows, and calls outside the skills', () => {
    const chats = (n: number): WfmEvent[] => [
      login(0, 'a2'),
      state(
        1,
        { stateCode: 'CHATTING', stateName: 'Chatting', category: 'BUSY', groupId: 'chat' },
        'a2',
      ),
      ...Array.from({ length: n }, (_, i) => [
        offer(1, `c${i}`, 'chat'),
        answer(1, `c${i}`, 'a2'),
      ]).flat(),
      ...Array.from({ length: n }, (_, i) => end(20, `c${i}`)),
      state(20, READY, 'a2'),
      logout(480, 'a2'),
    ];
    const shifts = [shift('a2', 0, 480)];
    expect(check(chats(2), { shifts })).toEqual([]);
    expect(check(chats(3), { shifts })).toEqual(['capacity']);
    expect(
      check([
        login(0, 'a2'),
        offer(1, 'c1'),
        answer(1, 'c1', 'a2'),
        end(3, 'c1'),
        logout(480, 'a2'),
      ]),
    ).toContain('capacity');
  });

  it('finds breaks not taken, taken late, too long, never ended or not planned', () => {
    const lunch = { code: 'LUNCH', name: 'Lunch', dueMs: T0 + 240 * MIN, durationMs: 30 * MIN };
    const shifts = [shift('a1', 0, 480, [lunch])];
    const onBreak = {
      stateCode: 'BREAK',
      stateName: 'Break',
      category: 'NOT_READY',
      reasonCode: 'LUNCH',
    };
    const taken = (start: number, minutes: number): WfmEvent[] => [
      login(0),
      state(start, onBreak),
      state(start + minutes, READY),
      logout(480),
    ];
    expect(check(taken(250, 30), { shifts })).toEqual([]);
    expect(check([login(0), logout(480)], { shifts })).toEqual(['break']);
    expect(check(taken(280, 30), { shifts })).toEqual(['break']);
    expect(check(taken(250, 45), { shifts })).toEqual(['break']);
    expect(check(taken(200, 30), { shifts })).toEqual(['break', 'break']);
    expect(check([login(0), state(250, onBreak)], { shifts, windowEndMs: T0 + 470 * MIN })).toEqual(
      ['break'],
    );
  });

  it('finds a contact offered while the center is closed', () => {
    const events = [offer(13 * 60 + 5, 'c1'), end(13 * 60 + 6, 'c1', 'ABANDONED')];
    expect(check(events, { shifts: [] })).toEqual(['closed']);
  });
});

describe('hourlyFigures', () => {
  it('counts the service level by the hour of the offer and the occupancy over READY, busy and wrap-up time', () => {
    const events = [
      login(0),
      offer(1, 'c1'),
      state(1, { ...TALKING, groupId: 'sales' }),
      ev(1.25, { type: 'contact.answered', contactId: 'c1', agentId: 'a1', ringMs: 0 }), // 15 s
      end(16, 'c1'),
      state(16, { stateCode: 'WRAPUP', stateName: 'Wrap-up', category: 'AFTER_CONTACT_WORK' }),
      state(31, READY),
      offer(40, 'c2'),
      state(40, { ...TALKING, groupId: 'sales' }),
      answer(41, 'c2'), // 60 s: outside 20 s
      end(70, 'c2'),
      state(70, {
        stateCode: 'BREAK',
        stateName: 'Break',
        category: 'NOT_READY',
        reasonCode: 'COFFEE',
      }),
      state(85, READY),
      offer(100, 'c3'),
      end(101, 'c3', 'ABANDONED'),
      offer(102, 'c4', 'chat'),
      end(103, 'c4', 'BOT_CLOSED'),
      logout(120),
    ];
    const [first, second] = hourlyFigures(events, {
      zone: TimeZone.UTC,
      fromMs: T0,
      toMs: T0 + 120 * MIN,
    });
    expect(first).toMatchObject({
      hour: '2026-12-02 09',
      offered: 2,
      answered: 2,
      answeredInTarget: 1,
      abandoned: 0,
    });
    expect(first?.serviceLevel).toBe(0.5);
    // 60 minutes logged in: 1 READY, 15 talking, 15 wrap-up, 9 READY, 20 talking
    expect(first?.occupancy).toBeCloseTo(50 / 60, 6);
    expect(second).toMatchObject({
      hour: '2026-12-02 10',
      offered: 1,
      answeredInTarget: 0,
      abandoned: 1,
    });
    expect(second?.serviceLevel).toBe(0);
    // 10 talking, 15 on a break (counted in neither), 35 READY
    expect(second?.occupancy).toBeCloseTo(10 / 45, 6);
    expect(second?.agentsLoggedIn).toBeCloseTo(1, 6);
  });
});
