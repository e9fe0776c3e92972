import { fc, test } from '@fast-check/vitest';
import { TimeZone } from '@wfm-stream/core';
import { validateEvent, type WfmEvent } from '@wfm-stream/schemas';
import { describe, expect, it } from 'vitest';

import {
  ContactCenterSimulation,
  DEFAULT_SIMULATOR_OPTIONS,
  type SimulatorOptions,
} from './index.js';

const MONDAY = Date.UTC(2024, 0, 8);
const DAY = 86_400_000;
const options = (overrides: Partial<SimulatorOptions> = {}): SimulatorOptions => ({
  ...DEFAULT_SIMULATOR_OPTIONS,
  startMs: MONDAY,
  zone: TimeZone.UTC,
  ...overrides,
});

function simulateDay(overrides: Partial<SimulatorOptions> = {}): {
  directory: WfmEvent[];
  events: WfmEvent[];
} {
  const sim = new ContactCenterSimulation(options(overrides));
  return { directory: sim.directory(), events: sim.advance((overrides.startMs ?? MONDAY) + DAY) };
}

const at = (e: WfmEvent): number => Date.parse(e.occurredAt);
const monday = simulateDay();

describe('the event stream', () => {
  it('is valid, in time order, with unique ids', () => {
    const all = [...monday.directory, ...monday.events];
    for (const event of all) expect(validateEvent(event)).toMatchObject({ ok: true, event });
    for (let i = 1; i < monday.events.length; i++)
      expect(at(monday.events[i]!)).toBeGreaterThanOrEqual(at(monday.events[i - 1]!));
    expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
  });

  it('is the same for the same options, different for another seed', () => {
    expect(simulateDay().events).toEqual(monday.events);
    expect(simulateDay({ seed: 2 }).events).not.toEqual(monday.events);
  });

  test.prop([fc.array(fc.integer({ min: 1, max: 6 * 3_600_000 }), { maxLength: 6 })], {
    numRuns: 15,
  })('does not depend on how time is advanced', (steps) => {
    const sim = new ContactCenterSimulation(options({ contactsPerHour: 80, agents: 20 }));
    const pieces: WfmEvent[] = [];
    let t = MONDAY;
    for (const step of steps) pieces.push(...sim.advance((t += step)));
    const end = Math.max(t, MONDAY + DAY / 2);
    pieces.push(...sim.advance(end));
    const whole = new ContactCenterSimulation(options({ contactsPerHour: 80, agents: 20 })).advance(
      end,
    );
    expect(pieces).toEqual(whole);
  });
});

describe('contacts', () => {
  const byContact = new Map<string, WfmEvent[]>();
  for (const e of monday.events)
    if ('contactId' in e) byContact.set(e.contactId, [...(byContact.get(e.contactId) ?? []), e]);

  it('follow offered → (answered → ended → wrapped up) | ended', () => {
    for (const [id, events] of byContact) {
      const types = events.map((e) => e.type);
      expect(types[0], id).toBe('contact.offered');
      expect(types.filter((t) => t === 'contact.offered')).toHaveLength(1);
      const ended = events.find((e) => e.type === 'contact.ended');
      const answered = events.find((e) => e.type === 'contact.answered');
      if (
        ended?.type === 'contact.ended' &&
        (ended.outcome === 'ABANDONED' || ended.outcome === 'BOT_CLOSED')
      ) {
        expect(answered, id).toBeUndefined();
      }
      if (answered !== undefined && ended !== undefined)
        expect(at(ended)).toBeGreaterThanOrEqual(at(answered));
      const wrapped = events.find((e) => e.type === 'contact.wrappedUp');
      if (wrapped !== undefined) {
        expect(answered, id).toBeDefined();
        expect(at(wrapped)).toBeGreaterThanOrEqual(at(ended!));
      }
    }
  });

  it('are followed, when transferred, by a contact of the same customer in another group', () => {
    const offered = new Map<string, Extract<WfmEvent, { type: 'contact.offered' }>>();
    for (const e of monday.events) if (e.type === 'contact.offered') offered.set(e.contactId, e);
    const transferred = monday.events.filter(
      (e) => e.type === 'contact.ended' && e.outcome === 'TRANSFERRED',
    );
    expect(transferred.length).toBeGreaterThan(0);
    for (const t of transferred) {
      const original = offered.get((t as { contactId: string }).contactId)!;
      const next = [...offered.values()].find(
        (o) => o.transferredFromContactId === original.contactId,
      );
      expect(next).toBeDefined();
      expect(next?.customerId).toBe(original.customerId);
      expect(next?.groupId).not.toBe(original.groupId);
      expect(next?.occurredAt).toBe(t.occurredAt);
    }
  });
});

describe('agents', () => {
  it('work only while logged in, within their skills and capacity, never on a break', () => {
    const skills = new Map(
      monday.directory
        .filter((e) => e.type === 'agent.upserted')
        .map((e) => [(e as { agentId: string }).agentId, (e as { groupIds: string[] }).groupIds]),
    );
    const groupOf = new Map<string, string>();
    const channelOf = new Map<string, string>();
    const loggedIn = new Set<string>();
    const state = new Map<string, string>();
    const active = new Map<string, Set<string>>();
    const owner = new Map<string, string>();
    for (const e of monday.events) {
      switch (e.type) {
        case 'contact.offered':
          groupOf.set(e.contactId, e.groupId);
          channelOf.set(e.contactId, e.channel);
          break;
        case 'agent.loggedIn':
          expect(loggedIn.has(e.agentId)).toBe(false);
          loggedIn.add(e.agentId);
          state.set(e.agentId, 'AVAILABLE');
          break;
        case 'agent.loggedOut':
          expect(loggedIn.has(e.agentId)).toBe(true);
          expect(active.get(e.agentId)?.size ?? 0).toBe(0);
          loggedIn.delete(e.agentId);
          break;
        case 'agent.stateChanged':
          expect(loggedIn.has(e.agentId), `${e.agentId} changes state while logged out`).toBe(true);
          state.set(e.agentId, e.category);
          break;
        case 'contact.answered': {
          expect(loggedIn.has(e.agentId)).toBe(true);
          expect(state.get(e.agentId)).toBe('BUSY');
          expect(skills.get(e.agentId)).toContain(groupOf.get(e.contactId));
          const set = active.get(e.agentId) ?? new Set<string>();
          set.add(e.contactId);
          active.set(e.agentId, set);
          owner.set(e.contactId, e.agentId);
          const limit =
            channelOf.get(e.contactId) === 'CHATS' ? DEFAULT_SIMULATOR_OPTIONS.chatConcurrency : 1;
          expect(set.size).toBeLessThanOrEqual(limit);
          break;
        }
        case 'contact.ended': {
          const agent = owner.get(e.contactId);
          if (agent !== undefined) active.get(agent)?.delete(e.contactId);
          break;
        }
        default:
          break;
      }
    }
  });

  it('take breaks with reasons', () => {
    const reasons = new Set(
      monday.events
        .filter((e) => e.type === 'agent.stateChanged' && e.stateCode === 'BREAK')
        .map((e) => (e as { reasonCode?: string }).reasonCode),
    );
    expect(reasons).toContain('COFFEE');
    expect(reasons).toContain('LUNCH');
  });
});

describe('volume and outcomes of a weekday', () => {
  const count = (predicate: (e: WfmEvent) => boolean): number =>
    monday.events.filter(predicate).length;
  const offered = count((e) => e.type === 'contact.offered');
  const ended = (outcome: string): number =>
    count((e) => e.type === 'contact.ended' && e.outcome === outcome);

  it('offers about contactsPerHour over the 15 opening hours', () => {
    const expected = DEFAULT_SIMULATOR_OPTIONS.contactsPerHour * 15;
    expect(offered).toBeGreaterThan(expected * 0.75);
    expect(offered).toBeLessThan(expected * 1.25);
  });

  it('abandons some, closes some chats by bot, and has repeat customers', () => {
    expect(ended('ABANDONED') / offered).toBeGreaterThan(0.02);
    expect(ended('ABANDONED') / offered).toBeLessThan(0.3);
    expect(ended('BOT_CLOSED')).toBeGreaterThan(0);
    const withCustomer = monday.events.filter(
      (e) => e.type === 'contact.offered' && e.customerId !== undefined,
    ) as { customerId: string; groupId: string }[];
    expect(new Set(withCustomer.map((e) => `${e.customerId}/${e.groupId}`)).size).toBeLessThan(
      withCustomer.length * 0.95,
    );
  });

  it('is quieter on Sundays', () => {
    const sunday = simulateDay({ startMs: MONDAY - DAY }).events.filter(
      (e) => e.type === 'contact.offered',
    ).length;
    expect(sunday).toBeLessThan(offered * 0.6);
  });

  it('runs a day in well under two seconds', () => {
    const t0 = performance.now();
    simulateDay({ seed: 9 });
    expect(performance.now() - t0).toBeLessThan(2_000);
  });
});
