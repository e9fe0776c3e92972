import { describe, expect, it } from 'vitest';

import {
  type AgentStatus,
  LOGGED_OUT,
  parseStatus,
  serializeStatus,
  statusAfter,
  type StatusChange,
  statusPushes,
} from './status-push.js';

const AT = Date.parse('2024-03-01T08:00:00.750Z');
const SECONDS = Math.floor(AT / 1000);
const ready = { loggedIn: true, code: 'READY', name: 'Ready' };
const login = { kind: 'login', code: 'LOGGED_IN', name: 'Logged in' } as const;

/** The pushes of agent 7's change at AT, from `previous`. */
const pushesOf = (previous: AgentStatus | undefined, change: StatusChange, systemId = 's') =>
  statusPushes('7', previous, change, AT, systemId);

describe('statusPushes', () => {
  it('enters the initial state on login', () => {
    expect(pushesOf(undefined, login, 'sys')).toEqual([
      {
        workerId: '7',
        stateName: 'Logged in',
        stateCode: 'LOGGED_IN',
        systemId: 'sys',
        actionTime: SECONDS,
        action: 1,
      },
    ]);
  });

  it('exits the previous state, then enters the new one, at the same second', () => {
    const pushes = pushesOf(
      ready,
      { kind: 'state', code: 'Break:LUNCH', name: 'Break / Lunch' },
      'sys',
    );
    expect(pushes.map((p) => [p.action, p.stateCode, p.actionTime])).toEqual([
      [0, 'READY', SECONDS],
      [1, 'Break:LUNCH', SECONDS],
    ]);
  });

  it('exits the last state on logout, and pushes nothing for a logout it cannot place', () => {
    expect(pushesOf(ready, { kind: 'logout' }).map((p) => p.action)).toEqual([0]);
    expect(pushesOf(LOGGED_OUT, { kind: 'logout' })).toEqual([]);
    expect(pushesOf(undefined, { kind: 'logout' })).toEqual([]);
  });

  it('closes a session left open when a new login comes', () => {
    const pushes = pushesOf(ready, login);
    expect(pushes.map((p) => [p.action, p.stateCode])).toEqual([
      [0, 'READY'],
      [1, 'LOGGED_IN'],
    ]);
  });

  it('only enters when the agent was never seen or was logged out', () => {
    for (const previous of [undefined, LOGGED_OUT]) {
      expect(
        pushesOf(previous, { kind: 'state', code: 'B', name: 'b' }).map((p) => p.action),
      ).toEqual([1]);
    }
  });

  it('uses whole Unix seconds, also before 1970', () => {
    expect(
      statusPushes('7', undefined, { kind: 'state', code: 'B', name: 'b' }, -1500, 's')[0]
        ?.actionTime,
    ).toBe(-2);
  });
});

describe('status serialization', () => {
  it('round-trips, names with separators-like characters included', () => {
    for (const status of [
      LOGGED_OUT,
      ready,
      statusAfter({ kind: 'state', code: 'a:b', name: 'x / y' }),
    ]) {
      expect(parseStatus(serializeStatus(status))).toEqual(status);
    }
    expect(parseStatus('')).toBeUndefined();
  });
});
