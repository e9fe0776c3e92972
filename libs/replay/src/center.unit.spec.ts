import { fc, test } from '@fast-check/vitest';
import { parseOffsetInstant, type WfmEvent } from '@wfm-stream/schemas';
import { type CenterRules, checkCenter, type PlannedShift } from '@wfm-stream/simulator';
import { describe, expect, it } from 'vitest';

import { clock, log, row } from './fixtures.spec.js';
import {
  idleStates,
  loadBundledCallLog,
  MIN_READY_MS,
  parseCallLog,
  planReplay,
  type ReplayPlan,
  SESSION_MARGIN_MS,
} from './index.js';

/**
 * The synthesized agent states keep the invariants of a plausible center (the
 * simulator's checkCenter) on the bank's month. The log has no roster: an agent's shift
 * is taken from its own calls, from 5 minutes before the first answer of a session to
 * the end of its last call, and the agent must be out within the same 5 minutes after
 * it. The log shows up to two calls in an agent's hands at once (a consultation, a call
 * picked up before the last one was hung up), so two is the capacity; it has no breaks,
 * so any BREAK would be unplanned.
 */

const RULES: CenterRules = {
  capacity: { calls: 2, chats: 1 },
  logoutGraceMs: SESSION_MARGIN_MS,
  breakStartToleranceMs: 0,
  fateShownWithinMs: 0,
};

const msOf = (e: WfmEvent): number => parseOffsetInstant(e.occurredAt)?.ms ?? Number.NaN;

/** Each session's shift, from the calls the agent answered in it (not from its own events). */
function shiftsFromCalls(plan: ReplayPlan): PlannedShift[] {
  const ended = new Map<string, number>();
  for (const e of plan.events) if (e.type === 'contact.ended') ended.set(e.contactId, msOf(e));
  const calls = new Map<string, { fromMs: number; toMs: number }[]>();
  for (const e of plan.events) {
    if (e.type !== 'contact.answered') continue;
    const list = calls.get(e.agentId) ?? [];
    list.push({ fromMs: msOf(e), toMs: ended.get(e.contactId) ?? msOf(e) });
    calls.set(e.agentId, list);
  }
  const shifts: PlannedShift[] = [];
  const loginAt = new Map<string, number>();
  for (const e of plan.events) {
    if (e.type === 'agent.loggedIn') loginAt.set(e.agentId, msOf(e));
    if (e.type !== 'agent.loggedOut') continue;
    const from = loginAt.get(e.agentId) ?? 0;
    const mine = (calls.get(e.agentId) ?? []).filter((c) => c.fromMs >= from && c.fromMs < msOf(e));
    if (mine.length === 0) continue;
    shifts.push({
      agentId: e.agentId,
      dayNumber: 0,
      startMs: Math.min(...mine.map((c) => c.fromMs)) - SESSION_MARGIN_MS,
      endMs: Math.max(...mine.map((c) => c.toMs)),
      breaks: [],
    });
  }
  return shifts;
}

function violationsOf(plan: ReplayPlan, rules: CenterRules = RULES, shifts = true): string[] {
  return checkCenter({
    directory: plan.directory,
    events: plan.events,
    windowStartMs: plan.startMs,
    windowEndMs: plan.endMs,
    ...(shifts ? { shifts: shiftsFromCalls(plan) } : {}),
    rules,
    maxViolations: 5,
  }).map((v) => `${v.invariant} ${v.at} ${v.agentId ?? ''} ${v.contactId ?? ''}: ${v.message}`);
}

describe('the bank month, replayed with agent states', () => {
  const month = planReplay(loadBundledCallLog());

  // checking the month takes a second or two, more on a busy machine
  const SLOW = { timeout: 60_000 };

  it('keeps every invariant: sessions, shifts, routing, capacity, breaks', SLOW, () => {
    expect(violationsOf(month)).toEqual([]);
  });

  it('would break routing without the not-ready spans (the check can fail)', SLOW, () => {
    const readyAllDay = month.events.map((e) =>
      e.type === 'agent.stateChanged' && e.category !== 'BUSY'
        ? { ...e, stateCode: 'READY', stateName: 'Ready', category: 'AVAILABLE' as const }
        : e,
    );
    expect(
      violationsOf({ ...month, events: readyAllDay }).some((v) => v.startsWith('routing')),
    ).toBe(true);
  });

  it('keeps sessions to a working day', () => {
    const loginAt = new Map<string, number>();
    let longest = 0;
    for (const e of month.events) {
      if (e.type === 'agent.loggedIn') loginAt.set(e.agentId, msOf(e));
      if (e.type === 'agent.loggedOut')
        longest = Math.max(longest, msOf(e) - (loginAt.get(e.agentId) ?? msOf(e)));
    }
    expect(longest).toBeLessThan(10 * 3_600_000);
  });
});

/** Random calls of a few agents over two days, served and not. */
const randomCall = fc.record({
  day: fc.integer({ min: 1, max: 2 }),
  start: fc.integer({ min: 6 * 3600, max: 23 * 3600 }),
  queue: fc.integer({ min: 0, max: 600 }),
  talk: fc.integer({ min: 0, max: 1_200 }),
  outcome: fc.constantFrom('AGENT', 'AGENT', 'AGENT', 'HANG'),
  server: fc.constantFrom('ANAT', 'BASCH', 'GILI', 'NO_SERVER'),
  type: fc.constantFrom('PS', 'NE'),
});

describe('random logs, replayed with agent states', () => {
  test.prop([fc.array(randomCall, { minLength: 1, maxLength: 80 })], {
    numRuns: 40,
    timeout: 60_000,
  })(
    'never have an agent READY while a contact of its groups waits, nor a session out of order',
    (calls) => {
      const rows = calls.map((c, i) => {
        const queued = c.start + 10;
        const exit = queued + c.queue;
        const served = c.outcome === 'AGENT';
        return row({
          call_id: String(i + 1),
          type: c.type,
          date: `99020${c.day}`,
          vru_entry: clock(c.start),
          vru_exit: clock(queued),
          q_start: clock(queued),
          q_exit: clock(exit),
          outcome: c.outcome,
          ser_start: served ? clock(exit) : '0:00:00',
          ser_exit: served ? clock(exit + c.talk) : '0:00:00',
          server: served ? c.server : 'NO_SERVER',
        });
      });
      const plan = planReplay(parseCallLog(log(...rows)));
      // random calls overlap freely: no capacity or shift limit here, routing and sessions only
      expect(violationsOf(plan, { ...RULES, capacity: { calls: 1_000, chats: 1 } }, false)).toEqual(
        [],
      );
    },
  );
});

describe('idleStates', () => {
  const waits = [
    { fromMs: 100_000, toMs: 160_000 },
    { fromMs: 170_000, toMs: 200_000 },
    { fromMs: 400_000, toMs: 500_000 },
  ];
  const codes = (from: number, to: number, afterCall: boolean) =>
    idleStates(from, to, waits, afterCall).map((p) => [p.ms, p.state.stateCode]);

  it('is READY while nothing waits, wrap-up when a wait starts right after a call, else not ready', () => {
    expect(codes(0, 90_000, true)).toEqual([[0, 'READY']]);
    expect(codes(120_000, 300_000, true)).toEqual([
      [120_000, 'WRAPUP'],
      [200_000, 'READY'],
    ]);
    expect(codes(50_000, 450_000, false)).toEqual([
      [50_000, 'READY'],
      [100_000, 'NOT_READY'],
      [200_000, 'READY'],
      [400_000, 'NOT_READY'],
    ]);
  });

  it('joins a READY moment shorter than MIN_READY_MS between two waits into them', () => {
    expect(170_000 - 160_000).toBeLessThan(MIN_READY_MS);
    expect(codes(90_000, 210_000, true)).toEqual([
      [90_000, 'READY'],
      [100_000, 'NOT_READY'],
      [200_000, 'READY'],
    ]);
  });
});
