import { describe, expect, it } from 'vitest';

import {
  DEFAULT_TOPICS,
  EVENT_DEFINITIONS,
  EVENT_EXAMPLES,
  messageKey,
  topicOf,
  validateEvent,
  type WfmEvent,
} from './index.js';

function reasonOf(value: unknown): string {
  const result = validateEvent(value);
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
}

describe('validateEvent', () => {
  it.each(EVENT_DEFINITIONS.map((d) => d.type))('accepts a complete %s', (type) => {
    const result = validateEvent(EVENT_EXAMPLES[type]);
    expect(result).toEqual({
      ok: true,
      event: EVENT_EXAMPLES[type],
      atMs: Date.parse(EVENT_EXAMPLES[type].occurredAt),
    });
  });

  it('accepts an event without its optional fields', () => {
    const minimal = {
      eventId: 'x',
      type: 'contact.ended',
      occurredAt: '2020-01-01T00:00:00Z',
      contactId: 'c',
      outcome: 'ABANDONED',
    };
    expect(validateEvent(minimal)).toEqual({
      ok: true,
      event: minimal,
      atMs: Date.UTC(2020, 0, 1),
    });
  });

  it('drops fields it does not know, so producers can add fields', () => {
    const result = validateEvent({ ...EVENT_EXAMPLES['agent.loggedOut'], site: 'Riga' });
    expect(result).toMatchObject({ ok: true, event: EVENT_EXAMPLES['agent.loggedOut'] });
  });

  it('says what is wrong, field by field', () => {
    expect(
      reasonOf({
        eventId: 'x',
        type: 'contact.answered',
        occurredAt: '2020-01-01T00:00:00Z',
        contactId: 'c',
      }),
    ).toBe('contact.answered: agentId is required');
    expect(reasonOf({ ...EVENT_EXAMPLES['contact.ended'], outcome: 'LOST', talkMs: -5 })).toBe(
      'contact.ended: outcome must be one of HANDLED, ABANDONED, TRANSFERRED, BOT_CLOSED; talkMs must not be negative',
    );
    expect(
      reasonOf({ ...EVENT_EXAMPLES['contact.offered'], occurredAt: '2020-01-01T00:00:00' }),
    ).toMatch(/^contact\.offered: occurredAt must be an ISO-8601 date-time with an offset/);
    expect(reasonOf({ ...EVENT_EXAMPLES['contact.offered'], eventId: '' })).toBe(
      'contact.offered: eventId must not be empty',
    );
    expect(reasonOf({ ...EVENT_EXAMPLES['contact.offered'], contactId: 'a\nb' })).toBe(
      'contact.offered: contactId must not contain control characters',
    );
  });

  it('names unknown and missing types', () => {
    expect(reasonOf({ ...EVENT_EXAMPLES['contact.offered'], type: 'contact.parked' })).toBe(
      'unknown type "contact.parked"',
    );
    expect(reasonOf({ eventId: 'x' })).toBe('type is required');
    expect(reasonOf([1, 2])).toBe('an event must be a JSON object');
    expect(reasonOf(null)).toBe('an event must be a JSON object');
  });
});

describe('routing', () => {
  it('keys contacts by contact, agents by agent, and directory entries by kind and id', () => {
    const keys = Object.fromEntries(
      Object.values(EVENT_EXAMPLES).map((e: WfmEvent) => [
        e.type,
        [topicOf(e, DEFAULT_TOPICS), messageKey(e)],
      ]),
    );
    expect(keys).toEqual({
      'service.upserted': ['cc.directory', 'service:s1'],
      'group.upserted': ['cc.directory', 'group:g1'],
      'agent.upserted': ['cc.directory', 'agent:a1'],
      'contact.offered': ['cc.contact-events', 'c1'],
      'contact.answered': ['cc.contact-events', 'c1'],
      'contact.ended': ['cc.contact-events', 'c1'],
      'contact.wrappedUp': ['cc.contact-events', 'c1'],
      'agent.loggedIn': ['cc.agent-events', 'a1'],
      'agent.loggedOut': ['cc.agent-events', 'a1'],
      'agent.stateChanged': ['cc.agent-events', 'a1'],
      'agent.directOutContact': ['cc.agent-events', 'a1'],
    });
  });
});

describe('validateEvent on hostile input', () => {
  it('refuses a type nested 100,000 levels deep without throwing', () => {
    const deep = JSON.parse(
      `{"eventId":"x","type":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    ) as unknown;
    expect(() => validateEvent(deep)).not.toThrow();
    expect(reasonOf(deep)).toBe('unknown type an array');
  });

  it('refuses control characters in texts: they are the stored state separators', () => {
    expect(
      reasonOf({ ...EVENT_EXAMPLES['agent.stateChanged'], stateName: 'Ready\u001fBUSY' }),
    ).toBe('agent.stateChanged: stateName must not contain control characters');
    expect(reasonOf({ ...EVENT_EXAMPLES['agent.upserted'], name: 'Ann\u0000' })).toBe(
      'agent.upserted: name must not contain control characters',
    );
  });

  it('refuses instants before 1970 and from 2100 on, and parses a comma fraction once', () => {
    for (const occurredAt of [
      '1969-12-31T23:59:59.999Z',
      '0001-01-01T00:00:00Z',
      '2100-01-01T00:00:00Z',
    ])
      expect(reasonOf({ ...EVENT_EXAMPLES['contact.offered'], occurredAt })).toMatch(
        /occurredAt must lie from 1970-01-01T00:00:00Z up to/,
      );
    const comma = validateEvent({
      ...EVENT_EXAMPLES['contact.offered'],
      occurredAt: '2020-01-01T10:00:00,250+01:00',
    });
    expect(comma).toMatchObject({ ok: true, atMs: Date.UTC(2020, 0, 1, 9, 0, 0, 250) });
  });

  it('keeps reasons short whatever the input', () => {
    const reason = reasonOf({ ...EVENT_EXAMPLES['contact.offered'], type: 'x'.repeat(100_000) });
    expect(reason.length).toBeLessThanOrEqual(200);
    const many = reasonOf({
      eventId: 'x',
      type: 'agent.upserted',
      occurredAt: '2020-01-01T00:00:00Z',
      agentId: 'a',
      name: 'n',
      groupIds: Array.from({ length: 2_000 }, () => ''),
    });
    expect(many.length).toBeLessThanOrEqual(1_000);
  });
});
