import { compareBytes } from '@wfm-stream/core';
import type { AgentEvent } from '@wfm-stream/schemas';

import { occurredAtMs } from '../contacts/codec.js';

/**
 * How agent events are stored in an agent's timelines (lua/agent-apply-n.lua). States
 * are stored as the API reports them: with a reason, the code is `stateCode:reasonCode`
 * and the name `stateName / reasonName` (docs/api.md, "GET /historic/agentStatusData").
 */
export type AgentPayload =
  | {
      /** Stored as its first field: `I` a login, `S` a state change. */
      readonly kind: 'I' | 'S';
      readonly stateCode: string;
      readonly stateName: string;
      readonly category: string;
      readonly groupId?: string;
      readonly serviceId?: string;
    }
  /** A logout. */
  | { readonly kind: 'O' }
  /** A direct outgoing contact. */
  | { readonly kind: 'D'; readonly contactKind: string; readonly groupId?: string };

/** A login without an initial state. */
export const LOGGED_IN_STATE = {
  code: 'LOGGED_IN',
  name: 'Logged in',
  category: 'NOT_READY',
} as const;

/** The state a login reports: its own, else {@link LOGGED_IN_STATE}'s. */
export function loginState(login: {
  stateCode?: string | undefined;
  stateName?: string | undefined;
  category?: string | undefined;
}): { code: string; name: string; category: string } {
  return {
    code: login.stateCode ?? LOGGED_IN_STATE.code,
    name: login.stateName ?? login.stateCode ?? LOGGED_IN_STATE.name,
    category: login.category ?? LOGGED_IN_STATE.category,
  };
}

export function reportedState(state: {
  stateCode: string;
  stateName: string;
  reasonCode?: string | undefined;
  reasonName?: string | undefined;
}): { code: string; name: string } {
  return {
    code:
      state.reasonCode === undefined ? state.stateCode : `${state.stateCode}:${state.reasonCode}`,
    name:
      state.reasonName === undefined ? state.stateName : `${state.stateName} / ${state.reasonName}`,
  };
}

export function agentPayload(event: AgentEvent): AgentPayload {
  switch (event.type) {
    case 'agent.loggedIn': {
      const { code, name, category } = loginState(event);
      return { kind: 'I', stateCode: code, stateName: name, category };
    }
    case 'agent.loggedOut':
      return { kind: 'O' };
    case 'agent.stateChanged': {
      const { code, name } = reportedState(event);
      return {
        kind: 'S',
        stateCode: code,
        stateName: name,
        category: event.category,
        ...(event.groupId === undefined ? {} : { groupId: event.groupId }),
        ...(event.serviceId === undefined ? {} : { serviceId: event.serviceId }),
      };
    }
    case 'agent.directOutContact':
      return {
        kind: 'D',
        contactKind: event.kind,
        ...(event.groupId === undefined ? {} : { groupId: event.groupId }),
      };
  }
}

/** `at`: the event's occurredAt in epoch ms, when the caller has it parsed already. */
export function encodeAgentEvent(
  event: AgentEvent,
  at = occurredAtMs(event),
): [string, string, string] {
  return [event.eventId, String(at), serializePayload(agentPayload(event))];
}

const SEP = '\u001f';

/** A payload as stored: its fields joined by \x1f, the kind first. */
export function serializePayload(p: AgentPayload): string {
  switch (p.kind) {
    case 'I':
    case 'S':
      return [
        p.kind,
        p.stateCode,
        p.stateName,
        p.category,
        p.groupId ?? '',
        p.serviceId ?? '',
      ].join(SEP);
    case 'O':
      return 'O';
    case 'D':
      return ['D', p.contactKind, p.groupId ?? ''].join(SEP);
  }
}

export function parsePayload(text: string): AgentPayload {
  const [kind = '', first = '', second = '', category = '', groupId = '', serviceId = ''] =
    text.split(SEP);
  switch (kind) {
    case 'I':
    case 'S':
      return {
        kind,
        stateCode: first,
        stateName: second,
        category,
        ...(groupId === '' ? {} : { groupId }),
        ...(serviceId === '' ? {} : { serviceId }),
      };
    case 'D':
      return { kind, contactKind: first, ...(second === '' ? {} : { groupId: second }) };
    default:
      return { kind: 'O' };
  }
}

/** One member of an agent's timeline (`eventId \0 payload`) and its time, ms. */
export interface TimelineEntry {
  readonly member: string;
  readonly ms: number;
}

/** A byte beyond ASCII in a latin1 string (one character per byte). */
const NON_ASCII = /[\u0080-\u00ff]/;

/**
 * The entries of a closed day's packed timeline (`tlp:<day>`, lua/agent-pack-n.lua), in
 * zset order: payloads, then per entry the time since the previous one, the bytes of its
 * eventId shared with the previous one, the rest and its payload's index
 * (docs/architecture.md, "Closed days: packed timelines"). Read as one latin1 string, a
 * character per byte, so that cuts and shared prefixes count bytes as the packer does;
 * members are decoded from UTF-8 again only when the string holds a byte beyond ASCII.
 */
export function unpackTimeline(bytes: Buffer): TimelineEntry[] {
  const text = bytes.toString('latin1');
  const utf8 = NON_ASCII.test(text);
  const parts = text.split('\u001e');
  const payloads = (parts[1] ?? '').split('\u001d');
  const entries: TimelineEntry[] = [];
  let ms = 0;
  let id = '';
  for (let p = 2; p < parts.length; p++) {
    const [delta, shared, rest = '', index] = (parts[p] ?? '').split('\u001d');
    ms += Number(delta);
    id = id.slice(0, Number(shared)) + rest;
    const member = `${id}\u0000${payloads[Number(index)] ?? ''}`;
    entries.push({ member: utf8 ? Buffer.from(member, 'latin1').toString('utf8') : member, ms });
  }
  return entries;
}

/**
 * A day of an agent's timeline from its two forms: the zset (open days, and events that
 * arrived after the day was packed) and the packed string. A member in both keeps the
 * zset's time; the order is the zset's: by time, then member bytes.
 */
export function mergeTimeline(zset: readonly string[], packed: Buffer | null): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i + 1 < zset.length; i += 2) {
    const member = zset[i] ?? '';
    seen.add(member);
    entries.push({ member, ms: Number(zset[i + 1]) });
  }
  if (packed === null) return entries;
  for (const e of unpackTimeline(packed)) if (!seen.has(e.member)) entries.push(e);
  return entries.sort((a, b) => a.ms - b.ms || compareBytes(a.member, b.member));
}
