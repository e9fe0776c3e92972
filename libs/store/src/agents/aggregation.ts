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

  /**
   * `atMs`, when given, holds each event's occurredAt in epoch ms (as the decoder parsed
   * it), index for index; without it they are parsed here.
   */
  async apply(
    events: readonly AgentEvent[],
    atMs?: readonly number[],
  ): Promise<{ agents: number; applied: number }> {
    const idsTtl = String(Math.ceil(this.settings.dedupeWindowMs / 1000));
    const ttl = String(this.settings.retentionSeconds);
    // each agent's script arguments, its events in batch order
    const byAgent = new Map<string, string[]>();
    const latestState = new Map<string, Latest>();
    const latestSession = new Map<string, Latest>();
    let i = 0;
    for (const event of events) {
      const ms = atMs?.[i++] ?? occurredAtMs(event);
      const [eventId, at, payload] = encodeAgentEvent(event, ms);
      const args = byAgent.get(event.agentId);
      if (args === undefined) byAgent.set(event.agentId, [idsTtl, ttl, eventId, at, payload]);
      else args.push(eventId, at, payload);
      if (event.type === 'agent.directOutContact') continue;
      const candidate = { event, ms };
      if (isLater(candidate, latestState.get(event.agentId)))
        latestState.set(event.agentId, candidate);
      if (
        event.type !== 'agent.stateChanged' &&
        isLater(candidate, latestSession.get(event.agentId))
      ) {
        latestSession.set(event.agentId, candidate);
      }
    }
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
    const appends: Promise<number>[] = [];
    for (const [agentId, args] of byAgent)
      appends.push(this.redis.wfmAgentApply(this.keys.agent(agentId), ...args));
    const [applied] = await Promise.all([
      settleAll(appends),
      online.length > 0
        ? this.redis.wfmOnlineAgents(
            this.keys.online(),
            ttl,
            String(ONLINE_EXPIRY_SLICE),
            ...online,
          )
        : Promise.resolve(0),
    ]);
    return { agents: byAgent.size, applied: applied.reduce((a, b) => a + b, 0) };
  }
}
