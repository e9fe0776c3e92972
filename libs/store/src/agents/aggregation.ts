import { DAY_MS, versionKey } from '@wfm-stream/core';
import type { AgentEvent } from '@wfm-stream/schemas';

import type { RedisClient } from '../connection.js';
import type { Keys } from '../keys.js';
import { settleAll } from '../settle.js';
import { type AgentPayload, encodeAgentEvent } from './codec.js';
import type { OnlineAgentState } from './online-state.js';

export interface AgentAggregationSettings {
  /** A duplicate eventId arriving within this window changes nothing (ms, arrival time). */
  readonly dedupeWindowMs: number;
  readonly retentionSeconds: number;
  /** Arrival clock, for de-duplication by arrival day. */
  readonly now?: () => number;
}

interface TimelineEvent {
  readonly id: string;
  readonly ms: number;
  readonly p: AgentPayload;
}

interface ApplyReply {
  readonly last: TimelineEvent | null;
  readonly session: TimelineEvent | null;
  readonly applied: number;
}

/**
 * The version of an agent's online state: it is a function of the latest state event
 * and the latest session event, each of which only ever moves forward. Joined with a
 * byte below any id character, the pair compares like the two keys in turn.
 */
function onlineVersion(reply: ApplyReply): string {
  const key = (e: TimelineEvent | null): string => (e === null ? '' : versionKey(e.ms, e.id));
  return `${key(reply.last)}\u0000${key(reply.session)}`;
}

/** The online state an agent's latest events give. */
export function onlineStateOf(agentId: string, reply: ApplyReply): OnlineAgentState | undefined {
  const last = reply.last;
  if (last === null) return undefined;
  const loginMs = reply.session?.p.t === 'I' ? reply.session.ms : undefined;
  if (last.p.t === 'I' || last.p.t === 'S') {
    return {
      agentId,
      loggedIn: true,
      stateCode: last.p.c,
      stateName: last.p.n,
      category: last.p.k,
      startMs: last.ms,
      groupId: last.p.g,
      loginMs,
    };
  }
  return { agentId, loggedIn: false, stateCode: '', stateName: '', category: '', startMs: last.ms };
}

/**
 * Applies agent events in two round trips per batch: one script per agent keeps its
 * timelines and spans (lua/agent-apply-1.lua) and returns its latest state; one script
 * then moves the online index (lua/online-agents-1.lua), which only ever takes a later
 * state than it holds.
 */
export class AgentAggregation {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly settings: AgentAggregationSettings,
  ) {}

  async apply(events: readonly AgentEvent[]): Promise<{ agents: number; applied: number }> {
    const byAgent = new Map<string, AgentEvent[]>();
    for (const event of events) {
      const list = byAgent.get(event.agentId);
      if (list === undefined) byAgent.set(event.agentId, [event]);
      else list.push(event);
    }
    const now = this.settings.now?.() ?? Date.now();
    const lookbackDays = Math.ceil(this.settings.dedupeWindowMs / DAY_MS);
    const seenTtl = String(Math.ceil(this.settings.dedupeWindowMs / 1000) + 86_400);
    const ttl = String(this.settings.retentionSeconds);
    const agentIds = [...byAgent.keys()];
    const replies = await settleAll(
      agentIds.map((agentId) =>
        this.redis.wfmAgentApply(
          this.keys.agent(agentId),
          seenTtl,
          ttl,
          String(Math.floor(now / DAY_MS)),
          String(lookbackDays),
          ...(byAgent.get(agentId) ?? []).flatMap(encodeAgentEvent),
        ),
      ),
    );
    const online: string[] = [];
    let applied = 0;
    replies.forEach((text, i) => {
      const agentId = agentIds[i] ?? '';
      const reply = JSON.parse(text) as ApplyReply;
      applied += reply.applied;
      const state = onlineStateOf(agentId, reply);
      if (state !== undefined && reply.last !== null) {
        online.push(agentId, onlineVersion(reply), JSON.stringify(state));
      }
    });
    if (online.length > 0) await this.redis.wfmOnlineAgents(this.keys.online(), ttl, ...online);
    return { agents: agentIds.length, applied };
  }
}
