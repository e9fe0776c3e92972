import {
  type AnsweredFacts,
  type ChannelType,
  type ContactFacts,
  type EndedFacts,
  type OfferedFacts,
  type Outcome,
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

/** The slot an event fills, its fields as stored, and the home it gives the contact. */
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
  const slot = (name: Slot): unknown[] | undefined => tuple(fields.get(`p:${name}`));
  const o = slot('o');
  const offered: OfferedFacts | undefined = o && {
    at: o[0] as number,
    groupId: o[1] as string,
    channel: o[2] as ChannelType,
    customerId: (o[3] as string | null) ?? undefined,
    transferredFromContactId: (o[4] as string | null) ?? undefined,
  };
  const a = slot('a');
  const answered: AnsweredFacts | undefined = a && {
    at: a[0] as number,
    agentId: a[1] as string,
    ringMs: a[2] as number,
  };
  const n = slot('n');
  const ended: EndedFacts | undefined = n && {
    at: n[0] as number,
    outcome: n[1] as Outcome,
    talkMs: n[2] as number,
    holdMs: n[3] as number,
  };
  const w = slot('w');
  const wrappedUp: WrappedUpFacts | undefined = w && {
    at: w[0] as number,
    agentId: w[1] as string,
    wrapUpMs: w[2] as number,
    relaxMs: w[3] as number,
  };
  return {
    facts: { contactId, offered, answered, ended, wrappedUp },
    version: Number(fields.get('v') ?? 0),
    homes,
  };
}
