import type { RedisClient } from '../connection.js';
import type { Keys, OnlinePart } from '../keys.js';
import { defineScript, type ScriptArg } from '../scripts.js';

/** An agent's latest state or session event for the online index (lua/online-agents-6.lua). */
export interface OnlineUpdate {
  readonly part: OnlinePart;
  readonly agentId: string;
  /** versionKey(occurredAt, eventId): the index keeps the latest. */
  readonly order: string;
  readonly value: string;
}

export interface OnlineAgentsArgs {
  readonly keys: Keys;
  readonly ttlSeconds: number;
  /** How many fields of each part one call looks at for expiry (HSCAN COUNT). */
  readonly sweepCount: number;
  readonly updates: readonly OnlineUpdate[];
}

const onlineAgents = defineScript<OnlineAgentsArgs, number>({
  file: 'online-agents-6.lua',
  encode({ keys, ttlSeconds, sweepCount, updates }) {
    const argv: ScriptArg[] = [ttlSeconds, sweepCount];
    for (const u of updates) argv.push(u.part, u.agentId, u.order, u.value);
    return {
      keys: (['state', 'session'] as const).flatMap((part) => [
        keys.online(part),
        keys.onlineOrder(part),
        keys.onlineSweep(part),
      ]),
      argv,
    };
  },
  decode: Number,
});

/** Updates the online index in one script call; returns the number of parts that changed. */
export function updateOnlineAgents(redis: RedisClient, args: OnlineAgentsArgs): Promise<number> {
  return onlineAgents.run(redis, args);
}
