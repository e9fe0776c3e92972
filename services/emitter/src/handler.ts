import { type StatusChange, statusPushes } from '@wfm-stream/core';
import type { BatchHandler } from '@wfm-stream/kafka';
import type { AgentEvent } from '@wfm-stream/schemas';
import {
  LOGGED_IN_STATE,
  reportedState,
  type StatusChangeToClaim,
  type StatusClaims,
} from '@wfm-stream/store';

import type { PushMetrics } from './push-metrics.js';
import type { StatusPusher } from './status-pusher.js';

/** The status change an agent event makes, or undefined (direct-out contacts make none). */
export function statusChangeOf(event: AgentEvent): StatusChange | undefined {
  switch (event.type) {
    case 'agent.loggedIn':
      return {
        kind: 'login',
        code: event.stateCode ?? LOGGED_IN_STATE.code,
        name: event.stateName ?? event.stateCode ?? LOGGED_IN_STATE.name,
      };
    case 'agent.stateChanged':
      return { kind: 'state', ...reportedState(event) };
    case 'agent.loggedOut':
      return { kind: 'logout' };
    case 'agent.directOutContact':
      return undefined;
  }
}

export interface EmitterDeps {
  readonly claims: StatusClaims;
  readonly pusher: StatusPusher;
  readonly metrics: PushMetrics;
  readonly systemId: string;
}

/**
 * For a batch of agent events: claim every status change in one Redis round trip (the
 * claim is durable before the offset is committed and before anything is sent, so a
 * restart never pushes a change twice), then hand the pushes to the per-agent queues
 * without waiting for the WFM.
 */
export function emitterHandler(deps: EmitterDeps): BatchHandler {
  return async (batch) => {
    if (batch.stream !== 'agents') return;
    const changes: (StatusChangeToClaim & { appendedAtMs: number })[] = [];
    for (const { event, atMs, timestampMs } of batch.events) {
      if (!event.type.startsWith('agent.')) continue;
      const agentEvent = event as AgentEvent;
      const change = statusChangeOf(agentEvent);
      if (change === undefined) continue;
      changes.push({
        agentId: agentEvent.agentId,
        eventId: agentEvent.eventId,
        occurredAtMs: atMs,
        change,
        appendedAtMs: timestampMs,
      });
    }
    const results = await deps.claims.claim(changes);
    results.forEach((result, i) => {
      const c = changes[i];
      if (c === undefined) return;
      if (!result.claimed) {
        deps.metrics.changes.inc({ result: 'stale' });
        return;
      }
      deps.metrics.changes.inc({ result: 'claimed' });
      deps.pusher.enqueue(
        statusPushes(c.agentId, result.previous, c.change, c.occurredAtMs, deps.systemId),
        c.appendedAtMs,
      );
    });
  };
}
