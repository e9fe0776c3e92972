import { compareBytes, versionKey } from '@wfm-stream/core';
import type { AgentEvent } from '@wfm-stream/schemas';

import type { RedisClient } from '../connection.js';
import { occurredAtMs } from '../contacts/codec.js';
import type { Keys } from '../keys.js';
import { applyAgentEvents, type TimelineEvent } from '../scripts/agent-apply.js';
import { type OnlineUpdate, updateOnlineAgents } from '../scripts/online-agents.js';
import { settleAll } from '../settle.js';
import { agentPayload, serializePayload } from './codec.js';

/**
 * Agents of each part of the online index one batch looks at for expiry: an agent is
 * forgotten `RETENTION_DAYS` after its last update (lua/online-agents-6.lua).
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
 * events to its day timelines (lua/agent-apply-n.lua), and the online index
 * (lua/online-agents-6.lua) hears each agent's latest state and session events of the
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
    const { retentionSeconds } = this.settings;
    // each agent's events, in batch order
    const byAgent = new Map<string, TimelineEvent[]>();
    const latestState = new Map<string, Latest>();
    const latestSession = new Map<string, Latest>();
    let i = 0;
    for (const event of events) {
      const ms = atMs?.[i++] ?? occurredAtMs(event);
      const timelineEvent = {
        eventId: event.eventId,
        atMs: ms,
        payload: serializePayload(agentPayload(event)),
      };
      const list = byAgent.get(event.agentId);
      if (list === undefined) byAgent.set(event.agentId, [timelineEvent]);
      else list.push(timelineEvent);
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
    const online: OnlineUpdate[] = [];
    for (const [agentId, { event, ms }] of latestState) {
      online.push({
        part: 'state',
        agentId,
        order: versionKey(ms, event.eventId),
        value: `${ms}\u001f${serializePayload(agentPayload(event))}`,
      });
    }
    for (const [agentId, { event, ms }] of latestSession) {
      online.push({
        part: 'session',
        agentId,
        order: versionKey(ms, event.eventId),
        value: `${ms}\u001f${event.type === 'agent.loggedIn' ? 'I' : 'O'}`,
      });
    }
    const [applied] = await Promise.all([
      settleAll(
        [...byAgent].map(([agentId, list]) =>
          applyAgentEvents(this.redis, {
            keys: this.keys,
            agentId,
            idsTtlSeconds: Math.ceil(this.settings.dedupeWindowMs / 1000),
            ttlSeconds: retentionSeconds,
            events: list,
          }),
        ),
      ),
      online.length > 0
        ? updateOnlineAgents(this.redis, {
            keys: this.keys,
            ttlSeconds: retentionSeconds,
            sweepCount: ONLINE_EXPIRY_SLICE,
            updates: online,
          })
        : Promise.resolve(0),
    ]);
    return { agents: byAgent.size, applied: applied.reduce((a, b) => a + b, 0) };
  }
}
