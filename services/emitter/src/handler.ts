import type { StatusChange } from '@wfm-stream/core';
import type { BatchHandler } from '@wfm-stream/kafka';
import type { Logger } from '@wfm-stream/observability';
import type { AgentEvent } from '@wfm-stream/schemas';
import {
  LOGGED_IN_STATE,
  reportedState,
  type StatusChangeToClaim,
  type StatusClaims,
} from '@wfm-stream/store';

import type { StatusDelivery } from './delivery.js';
import type { PushMetrics } from './push-metrics.js';

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
  readonly delivery: StatusDelivery;
  readonly metrics: PushMetrics;
  readonly logger: Logger;
}

/**
 * For a batch of agent events: claim every status change and put it in the outbox in one
 * Redis round trip (durable before the offset is committed and before anything is sent,
 * so a redelivered batch claims nothing twice), then wake the delivery of the agents whose
 * lease this process holds, without waiting for the WFM (docs/architecture.md, "The
 * emitter").
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
      if (result.delivery === 'full') {
        deps.metrics.changes.inc({ result: 'full' });
        deps.logger.warn(
          { agentId: c.agentId, eventId: c.eventId, reason: 'too many pushes pending' },
          'status change not pushed',
        );
        return;
      }
      deps.metrics.changes.inc({ result: 'claimed' });
      if (result.delivery === 'leased') deps.delivery.wake(c.agentId);
    });
  };
}
