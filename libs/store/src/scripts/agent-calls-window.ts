import type { RedisClient } from '../connection.js';
import type { Keys } from '../keys.js';
import { defineScript } from '../scripts.js';

export interface AgentCallsWindowArgs {
  readonly keys: Keys;
  readonly agentId: string;
  readonly utcDay: number;
  /** The period, inside the day: [startMs, endMs). */
  readonly startMs: number;
  readonly endMs: number;
}

const agentCallsWindow = defineScript<AgentCallsWindowArgs, Record<string, string>>({
  file: 'agent-calls-window-2.lua',
  encode({ keys, agentId, utcDay, startMs, endMs }) {
    return {
      keys: [keys.agentCalls(agentId, utcDay), keys.agentCallsByTime(agentId, utcDay)],
      argv: [startMs, endMs],
    };
  },
  decode(reply) {
    const flat = reply as string[];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] ?? ''] = flat[i + 1] ?? '';
    return fields;
  },
});

/**
 * The `calls:<day>` fields of the contacts an agent answered in [startMs, endMs), read
 * through the day's index by time (lua/agent-calls-window-2.lua); a day without an index
 * answers all its fields, for the caller to filter.
 */
export function agentCallsInWindow(
  redis: RedisClient,
  args: AgentCallsWindowArgs,
): Promise<Record<string, string>> {
  return agentCallsWindow.run(redis, args);
}
