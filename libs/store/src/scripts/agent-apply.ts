import { DAY_MS } from '@wfm-stream/core';

import type { RedisClient } from '../connection.js';
import type { Keys } from '../keys.js';
import { defineScript, type ScriptArg } from '../scripts.js';

/** One agent event as its timelines keep it (lua/agent-apply-n.lua). */
export interface TimelineEvent {
  readonly eventId: string;
  readonly atMs: number;
  /** serializePayload (agents/codec.ts). */
  readonly payload: string;
}

export interface AgentApplyArgs {
  readonly keys: Keys;
  readonly agentId: string;
  /** How long event ids are kept for de-duplication, seconds (DEDUPE_WINDOW). */
  readonly idsTtlSeconds: number;
  /** How long timelines are kept, seconds (RETENTION_DAYS). */
  readonly ttlSeconds: number;
  readonly events: readonly TimelineEvent[];
}

interface AgentApplyReply {
  readonly applied: number;
  /** Closed days whose state timeline is still to pack. */
  readonly closedDays: readonly number[];
}

const agentApply = defineScript<AgentApplyArgs, AgentApplyReply>({
  file: 'agent-apply-n.lua',
  encode({ keys, agentId, idsTtlSeconds, ttlSeconds, events }) {
    const days = [...new Set(events.map((e) => Math.floor(e.atMs / DAY_MS)))];
    const list = [
      keys.timelineDays(agentId, 'tl'),
      keys.timelineDays(agentId, 'se'),
      keys.unpackedDays(agentId),
    ];
    for (const day of days)
      list.push(
        keys.agentEventIds(agentId, day),
        keys.timeline(agentId, 'tl', day),
        keys.timeline(agentId, 'se', day),
        keys.timeline(agentId, 'do', day),
      );
    const argv: ScriptArg[] = [idsTtlSeconds, ttlSeconds, days.length, ...days];
    for (const e of events) argv.push(e.eventId, e.atMs, e.payload);
    return { keys: list, argv };
  },
  decode(reply) {
    const [applied, ...closed] = reply as (number | string)[];
    return { applied: Number(applied), closedDays: closed.map(Number) };
  },
});

const agentPack = defineScript<
  { keys: Keys; agentId: string; ttlSeconds: number; days: readonly number[] },
  number
>({
  file: 'agent-pack-n.lua',
  encode({ keys, agentId, ttlSeconds, days }) {
    const list = [keys.unpackedDays(agentId)];
    for (const day of days)
      list.push(keys.timeline(agentId, 'tl', day), keys.packedTimeline(agentId, day));
    return { keys: list, argv: [ttlSeconds, ...days] };
  },
  decode: Number,
});

/**
 * Appends one agent's events to its timelines, and packs the days that closed
 * (docs/architecture.md, "Closed days: packed timelines"): one script call, two on the
 * call after which a day closed. Returns the number of new events.
 */
export async function applyAgentEvents(redis: RedisClient, args: AgentApplyArgs): Promise<number> {
  const { applied, closedDays } = await agentApply.run(redis, args);
  if (closedDays.length > 0)
    await agentPack.run(redis, {
      keys: args.keys,
      agentId: args.agentId,
      ttlSeconds: args.ttlSeconds,
      days: closedDays,
    });
  return applied;
}
