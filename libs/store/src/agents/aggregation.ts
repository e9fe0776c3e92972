import { compareBytes, versionKey } from '@wfm-stream/core';
import type { AgentEvent } from '@wfm-stream/schemas';

import type { RedisClient } from '../connection.js';
import { occurredAtMs } from '../contacts/codec.js';
import type { Keys } from '../keys.js';
import { settleAll } from '../settle.js';
import { agentPayload, encodeAgentEvent, serializePayload } from './codec.js';

/**
 * Agents of each part of the online index one batch looks at for expiry: an agent is
 * forgotten `RETENTION_DAYS` after its last update (lua/online-agents-1.lua).
 */
const ONLINE_EXPIRY_SLICE = 64;

export interface AgentAggregationSettings {
  /** A duplicate eventId changes nothing for at least this long after its day was last written (ms). */
  readonly dedupeWindowMs: number;
  readonly retentionSeconds: number;
}

interface Latest {
  readonly event: AgentEvent;
  readonly ms: number;
}

function isLater(a: Latest, b: Latest | undefined): boolean {
  return (
    b === undefined ||
    a.ms > b.ms ||
    (a.ms === b.ms && compareBytes(a.event.eventId, b.event.eventId) > 0)
  );
}

/**
 * Records agent events, one round trip per batch: one script per agent appends the
 * events to its day timelines (lua/agent-apply-1.lua), and the online index
 * (lua/online-agents-1.lua) hears each agent's latest state and session events of the
 * batch; it keeps an event only when it is later than the one it holds, so any order
 * and any repetition give the same current state.
 */
export class AgentAggregation {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly settings: AgentAggregationSettings,
  ) {}

  async apply(events: readonly AgentEvent[]): Promise<{ agents: number; applied: number }> {
    const byAgent = new Map<string, AgentEvent[]>();
    const latestState = new Map<string, Latest>();
    const latestSession = new Map<string, Latest>();
    for (const event of events) {
      const list = byAgent.get(event.agentId);
      if (list === undefined) byAgent.set(event.agentId, [event]);
      else list.push(event);
      if (event.type === 'agent.directOutContact') continue;
      const candidate = { event, ms: occurredAtMs(event) };
      if (isLater(candidate, latestState.get(event.agentId)))
        latestState.set(event.agentId, candidate);
      if (
        event.type !== 'agent.stateChanged' &&
        isLater(candidate, latestSession.get(event.agentId))
      ) {
        latestSession.set(event.agentId, candidate);
      }
    }
    const idsTtl = String(Math.ceil(this.settings.dedupeWindowMs / 1000));
    const ttl = String(this.settings.retentionSeconds);
    const online: string[] = [];
    for (const [agentId, { event, ms }] of latestState) {
      online.push(
        'state',
        agentId,
        versionKey(ms, event.eventId),
        `${ms}\u001f${serializePayload(agentPayload(event))}`,
      );
    }
    for (const [agentId, { event, ms }] of latestSession) {
      online.push(
        'session',
        agentId,
        versionKey(ms, event.eventId),
        `${ms}\u001f${event.type === 'agent.loggedIn' ? 'I' : 'O'}`,
      );
    }
    const agentIds = [...byAgent.keys()];
    const [applied] = await Promise.all([
      settleAll(
        agentIds.map((agentId) =>
          this.redis.wfmAgentApply(
            this.keys.agent(agentId),
            idsTtl,
            ttl,
            ...(byAgent.get(agentId) ?? []).flatMap(encodeAgentEvent),
          ),
        ),
      ),
      online.length > 0
        ? this.redis.wfmOnlineAgents(
            this.keys.online(),
            ttl,
            String(ONLINE_EXPIRY_SLICE),
            ...online,
          )
        : Promise.resolve(0),
    ]);
    return { agents: agentIds.length, applied: applied.reduce((a, b) => a + b, 0) };
  }
}
