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
    expect(result).toEqual({ ok: true, event: EVENT_EXAMPLES[type] });
  });

  it('accepts an event without its optional fields', () => {
    const minimal = {
      eventId: 'x',
      type: 'contact.ended',
      occurredAt: '2020-01-01T00:00:00Z',
      contactId: 'c',
      outcome: 'ABANDONED',
    };
    expect(validateEvent(minimal)).toEqual({ ok: true, event: minimal });
  });

  it('drops fields it does not know, so producers can add fields', () => {
    const result = validateEvent({ ...EVENT_EXAMPLES['agent.loggedOut'], site: 'Riga' });
    expect(result).toEqual({ ok: true, event: EVENT_EXAMPLES['agent.loggedOut'] });
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
