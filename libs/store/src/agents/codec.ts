import type { AgentEvent } from '@wfm-stream/schemas';

import { occurredAtMs } from '../contacts/codec.js';

/**
 * How agent events are stored in an agent's timelines (lua/agent-apply-1.lua). States
 * are stored as the API reports them: with a reason, the code is `stateCode:reasonCode`
 * and the name `stateName / reasonName` (docs/api.md, "GET /historic/agentStatusData").
 */
export type AgentPayload =
  | {
      readonly t: 'I' | 'S';
      readonly c: string;
      readonly n: string;
      readonly k: string;
      readonly g?: string;
      readonly v?: string;
    }
  | { readonly t: 'O' }
  | { readonly t: 'D'; readonly k: string; readonly g?: string };

/** A login without an initial state. */
export const LOGGED_IN_STATE = {
  code: 'LOGGED_IN',
  name: 'Logged in',
  category: 'NOT_READY',
} as const;

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
    case 'agent.loggedIn':
      return {
        t: 'I',
        c: event.stateCode ?? LOGGED_IN_STATE.code,
        n: event.stateName ?? event.stateCode ?? LOGGED_IN_STATE.name,
        k: event.category ?? LOGGED_IN_STATE.category,
      };
    case 'agent.loggedOut':
      return { t: 'O' };
    case 'agent.stateChanged': {
      const { code, name } = reportedState(event);
      return {
        t: 'S',
        c: code,
        n: name,
        k: event.category,
        ...(event.groupId === undefined ? {} : { g: event.groupId }),
        ...(event.serviceId === undefined ? {} : { v: event.serviceId }),
      };
    }
    case 'agent.directOutContact':
      return {
        t: 'D',
        k: event.kind,
        ...(event.groupId === undefined ? {} : { g: event.groupId }),
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
  switch (p.t) {
    case 'I':
    case 'S':
      return [p.t, p.c, p.n, p.k, p.g ?? '', p.v ?? ''].join(SEP);
    case 'O':
      return 'O';
    case 'D':
      return ['D', p.k, p.g ?? ''].join(SEP);
  }
}

export function parsePayload(text: string): AgentPayload {
  const [t = '', a = '', b = '', c = '', g = '', v = ''] = text.split(SEP);
  switch (t) {
    case 'I':
    case 'S':
      return { t, c: a, n: b, k: c, ...(g === '' ? {} : { g }), ...(v === '' ? {} : { v }) };
    case 'D':
      return { t, k: a, ...(b === '' ? {} : { g: b }) };
    default:
      return { t: 'O' };
  }
}
