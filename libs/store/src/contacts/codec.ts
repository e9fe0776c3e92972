import {
  type AnsweredFacts,
  type ContactFacts,
  type EndedFacts,
  type OfferedFacts,
  versionKey,
  type WrappedUpFacts,
} from '@wfm-stream/core';
import { type ContactEvent, parseOffsetInstant } from '@wfm-stream/schemas';

/**
 * How contact events are stored in a contact's record. The merge script treats payloads
 * and homes as opaque strings; this module is the only place that knows their layout.
 */

/** The event a field of the record holds: `o` offered, `a` answered, `n` ended, `w` wrapped up. */
export type Slot = 'o' | 'a' | 'n' | 'w';

/** A place a contact is counted: a group (by offer time) or an agent (by answer time). */
export type Home =
  | { readonly kind: 'group'; readonly id: string; readonly at: number }
  | { readonly kind: 'agent'; readonly id: string; readonly at: number };

export interface MergeArgs {
  readonly eventId: string;
  readonly slot: Slot;
  readonly order: string;
  readonly payload: string;
  readonly home: string;
}

export function occurredAtMs(event: { occurredAt: string }): number {
  const parsed = parseOffsetInstant(event.occurredAt);
  if (parsed === undefined) throw new TypeError(`invalid occurredAt ${event.occurredAt}`);
  return parsed.ms;
}

function encodeHome(home: Home): string {
  return JSON.stringify([home.kind === 'group' ? 'g' : 'a', home.id, home.at]);
}

function decodeHome(text: string): Home | undefined {
  const value = JSON.parse(text) as unknown;
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [kind, id, at] = value as [unknown, unknown, unknown];
  if (typeof id !== 'string' || typeof at !== 'number') return undefined;
  if (kind === 'g') return { kind: 'group', id, at };
  if (kind === 'a') return { kind: 'agent', id, at };
  return undefined;
}

/** The facts each slot holds. */
interface SlotFacts {
  readonly o: OfferedFacts;
  readonly a: AnsweredFacts;
  readonly n: EndedFacts;
  readonly w: WrappedUpFacts;
}

/**
 * What each slot's payload holds: a JSON array of these facts, in this order, an absent
 * optional one as null.
 */
const PAYLOAD_FIELDS = {
  o: ['at', 'groupId', 'channel', 'customerId', 'transferredFromContactId'],
  a: ['at', 'agentId', 'ringMs'],
  n: ['at', 'outcome', 'talkMs', 'holdMs'],
  w: ['at', 'agentId', 'wrapUpMs', 'relaxMs'],
} as const satisfies { readonly [S in Slot]: readonly (keyof SlotFacts[S])[] };

/** The slot an event fills, its payload's fields (PAYLOAD_FIELDS), and the contact's home. */
function slotOf(event: ContactEvent, at: number): [Slot, unknown[], Home | undefined] {
  switch (event.type) {
    case 'contact.offered':
      return [
        'o',
        [
          at,
          event.groupId,
          event.channel,
          event.customerId ?? null,
          event.transferredFromContactId ?? null,
        ],
        { kind: 'group', id: event.groupId, at },
      ];
    case 'contact.answered':
      return [
        'a',
        [at, event.agentId, event.ringMs ?? 0],
        { kind: 'agent', id: event.agentId, at },
      ];
    case 'contact.ended':
      return ['n', [at, event.outcome, event.talkMs ?? 0, event.holdMs ?? 0], undefined];
    case 'contact.wrappedUp':
      return ['w', [at, event.agentId, event.wrapUpMs, event.relaxMs ?? 0], undefined];
  }
}

/** `at`: the event's occurredAt in epoch ms, when the caller has it parsed already. */
export function encodeContactEvent(event: ContactEvent, at = occurredAtMs(event)): MergeArgs {
  const [slot, fields, home] = slotOf(event, at);
  return {
    eventId: event.eventId,
    slot,
    order: versionKey(at, event.eventId),
    payload: JSON.stringify(fields),
    home: home === undefined ? '' : encodeHome(home),
  };
}

/** A contact record as the merge script returns it. */
export interface ContactSnapshot {
  readonly facts: ContactFacts;
  readonly version: number;
  readonly homes: readonly Home[];
}

function tuple(text: string | undefined): unknown[] | undefined {
  if (text === undefined) return undefined;
  const value = JSON.parse(text) as unknown;
  return Array.isArray(value) ? value : undefined;
}

/** Decodes the flat HGETALL reply of a contact record. */
export function decodeContactRecord(contactId: string, flat: readonly string[]): ContactSnapshot {
  const fields = new Map<string, string>();
  const homes: Home[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i] ?? '';
    const value = flat[i + 1] ?? '';
    if (name.startsWith('h:')) {
      const home = decodeHome(name.slice(2));
      if (home !== undefined) homes.push(home);
    } else if (name.startsWith('p:') || name === 'v') {
      fields.set(name, value);
    }
  }
  /** A slot's facts, each from its place in the payload; an absent optional one undefined. */
  const slot = <S extends Slot>(name: S): SlotFacts[S] | undefined => {
    const values = tuple(fields.get(`p:${name}`));
    if (values === undefined) return undefined;
    return Object.fromEntries(
      PAYLOAD_FIELDS[name].map((field, i) => [field, values[i] ?? undefined]),
    ) as unknown as SlotFacts[S];
  };
  return {
    facts: {
      contactId,
      offered: slot('o'),
      answered: slot('a'),
      ended: slot('n'),
      wrappedUp: slot('w'),
    },
    version: Number(fields.get('v') ?? 0),
    homes,
  };
}
