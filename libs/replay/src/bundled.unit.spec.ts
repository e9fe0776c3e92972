import fs from 'node:fs';

import { validateEvent } from '@wfm-stream/schemas';
import { describe, expect, it } from 'vitest';

import { agentIdOf, contactIdOf, groupBy, instant } from './fixtures.spec.js';
import { BUNDLED_CALL_LOG, loadBundledCallLog, planReplay } from './index.js';

const records = loadBundledCallLog();
const month = planReplay(records);

/** The file's rows split into cells, read without the library. */
const rawRows = fs
  .readFileSync(BUNDLED_CALL_LOG, 'utf8')
  .split('\n')
  .slice(1)
  .filter((line) => line.trim() !== '')
  .map((line) => line.replace(/\r$/, '').split('\t'));

describe('the bundled month (February 1999)', () => {
  it('parses every row', () => {
    expect(rawRows).toHaveLength(33_344);
    expect(records).toHaveLength(33_344);
    expect(records[0]).toMatchObject({
      line: 2,
      contactId: 'AA0101-34536',
      groupId: 'PS',
      localDate: '1999-02-01',
      outcome: 'AGENT',
      server: 'DORIT',
    });
  });

  it('has the statistics of the mapping', () => {
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
    expect(month.stats.contacts).toBe(month.stats.rows - month.stats.skippedInVru);
    expect(month.directory).toHaveLength(1 + 6 + 24);
    expect(month.directory.every((e) => e.occurredAt === '1999-02-01T00:00:00+02:00')).toBe(true);
  });

  it('produces only valid events, with unique ids, in time order', () => {
    for (const event of [...month.directory, ...month.events]) {
      const result = validateEvent(event);
      if (!result.ok) expect.fail(`${event.eventId}: ${JSON.stringify(result)}`);
    }
    const ids = new Set([...month.directory, ...month.events].map((e) => e.eventId));
    expect(ids.size).toBe(month.directory.length + month.events.length);
    let previous = Number.NEGATIVE_INFINITY;
    for (const event of month.events) {
      const ms = instant(event);
      if (ms < previous) expect.fail(`${event.eventId} at ${event.occurredAt} out of order`);
      previous = ms;
    }
    expect(month.events.every((e) => e.occurredAt.endsWith('+02:00'))).toBe(true);
    // 161,568 events validated one by one: seconds on a busy machine, beyond vitest's 5 s
  }, 60_000);

  it('gives every contact offered first, answered ≥ offered, ended ≥ answered, ended last', () => {
    const contacts = groupBy(month.events, contactIdOf);
    expect(contacts.size).toBe(month.stats.contacts);
    for (const [contactId, events] of contacts) {
      const types = events.map((e) => e.type).join(',');
      if (
        types !== 'contact.offered,contact.ended' &&
        types !== 'contact.offered,contact.answered,contact.ended'
      ) {
        expect.fail(`${contactId}: ${types}`);
      }
      const times = events.map(instant);
      for (let i = 1; i < times.length; i++) {
        if ((times[i] ?? 0) < (times[i - 1] ?? 0)) expect.fail(`${contactId} goes back in time`);
      }
    }
    const outcomes: Record<string, number> = {};
    for (const e of month.events) {
      if (e.type === 'contact.ended') outcomes[e.outcome] = (outcomes[e.outcome] ?? 0) + 1;
    }
    expect(outcomes).toEqual({ HANDLED: 27_162, ABANDONED: 3_963, BOT_CLOSED: 278 });
  });

  it('offers per group on 1999-02-01 exactly the rows of that day that reached a group', () => {
    const expected: Record<string, number> = {};
    for (const cells of rawRows) {
      const type = cells[4] ?? '';
      const date = cells[5];
      const qStart = cells[9];
      const outcome = cells[12];
      if (date !== '990201') continue;
      if (
        outcome === 'AGENT' ||
        outcome === 'PHANTOM' ||
        (outcome === 'HANG' && qStart !== '0:00:00')
      ) {
        expected[type] = (expected[type] ?? 0) + 1;
      }
    }
    const day = planReplay(records, { from: '1999-02-01', to: '1999-02-01' });
    const offered: Record<string, number> = {};
    for (const e of day.events) {
      if (e.type === 'contact.offered') offered[e.groupId] = (offered[e.groupId] ?? 0) + 1;
    }
    expect(offered).toEqual(expected);
    expect(Object.values(expected).reduce((a, b) => a + b, 0)).toBe(day.stats.contacts);
    expect(day.stats.rows).toBe(rawRows.filter((cells) => cells[5] === '990201').length);
  });

  it('synthesizes agent sessions: login first, states only while logged in, logout last', () => {
    const agents = groupBy(month.events, agentIdOf);
    expect(agents.size).toBe(24);
    for (const [agentId, events] of agents) {
      let loggedIn = false;
      for (const e of events) {
        const ok =
          e.type === 'agent.loggedIn'
            ? !loggedIn
            : e.type === 'agent.loggedOut'
              ? loggedIn
              : loggedIn;
        if (!ok)
          expect.fail(`${agentId}: ${e.eventId} ${e.type} while logged ${loggedIn ? 'in' : 'out'}`);
        if (e.type === 'agent.loggedIn') loggedIn = true;
        if (e.type === 'agent.loggedOut') loggedIn = false;
      }
      expect(loggedIn).toBe(false);
    }
    const day = { from: '1999-02-10', to: '1999-02-10' };
    const without = planReplay(records, { ...day, agentStates: false }).events;
    expect(without.some((e) => agentIdOf(e) !== undefined)).toBe(false);
    const withStates = planReplay(records, day).events;
    expect(withStates.filter((e) => agentIdOf(e) === undefined)).toEqual(without);
    expect(withStates.length).toBeGreaterThan(without.length);
  });

  it('rebases a day: 07:02:47 local stays 07:02:47 local on the new date, in summer time', () => {
    const moved = planReplay(records, {
      from: '1999-02-01',
      to: '1999-02-01',
      rebaseTo: '2024-07-01',
      agentStates: false,
    });
    expect(moved.events.find((e) => e.eventId === 'AA0101-34536-o')?.occurredAt).toBe(
      '2024-07-01T07:02:56+03:00',
    );
    expect(moved.directory[0]?.occurredAt).toBe('2024-07-01T00:00:00+03:00');
    const original = planReplay(records, {
      from: '1999-02-01',
      to: '1999-02-01',
      agentStates: false,
    });
    expect(moved.events.map((e) => [e.eventId, e.occurredAt.slice(11, 19)])).toEqual(
      original.events.map((e) => [e.eventId, e.occurredAt.slice(11, 19)]),
    );
  });

  it('plans the same way every time', () => {
    const options = { from: '1999-02-03', to: '1999-02-04', rebaseTo: '2026-01-05' };
    expect(planReplay(records, options)).toEqual(planReplay(records, options));
  });
});
