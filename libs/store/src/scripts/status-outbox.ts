import type { RedisClient } from '../connection.js';
import type { DeploymentKeys } from '../keys.js';
import { defineScript, type ScriptArg } from '../scripts.js';

/** One agent's part of a delivery call: what was delivered of its head entry, if anything. */
export interface OutboxDelivered {
  readonly agentId: string;
  readonly ack?: { readonly seq: number; readonly done: number; readonly last: boolean };
}

export interface OutboxDeliverArgs {
  readonly keys: DeploymentKeys;
  readonly owner: string;
  readonly leaseMs: number;
  /** 'hold': acknowledge, renew, next entry; 'release': give the leases up. */
  readonly mode: 'hold' | 'release';
  readonly agents: readonly OutboxDelivered[];
}

const statusDeliver = defineScript<OutboxDeliverArgs, string[]>({
  file: 'status-deliver-3.lua',
  encode({ keys, owner, leaseMs, mode, agents }) {
    const argv: ScriptArg[] = [owner, leaseMs, mode];
    for (const { agentId, ack } of agents) {
      if (ack === undefined) argv.push(agentId, '', 0, 0);
      else argv.push(agentId, ack.seq, ack.done, ack.last ? 1 : 0);
    }
    return {
      keys: [keys.statusOutbox(), keys.statusOutboxEntries(), keys.statusOutboxLeases()],
      argv,
    };
  },
  decode: (reply) => (reply as unknown[]).map(String),
});

/** Per agent: '-' lease not held, '=' nothing left, '>' handed over, else the head entry. */
export function deliverFromOutbox(redis: RedisClient, args: OutboxDeliverArgs): Promise<string[]> {
  return statusDeliver.run(redis, args);
}

export interface OutboxTakeoverArgs {
  readonly keys: DeploymentKeys;
  readonly owner: string;
  readonly leaseMs: number;
  /** Most agents taken over by one call. */
  readonly limit: number;
}

const statusTakeover = defineScript<OutboxTakeoverArgs, string[]>({
  file: 'status-takeover-2.lua',
  encode: ({ keys, owner, leaseMs, limit }) => ({
    keys: [keys.statusOutbox(), keys.statusOutboxLeases()],
    argv: [owner, leaseMs, limit],
  }),
  decode: (reply) => (reply as unknown[]).map(String),
});

/** The agents whose run-out or released leases the caller now holds. */
export function takeOverOutbox(redis: RedisClient, args: OutboxTakeoverArgs): Promise<string[]> {
  return statusTakeover.run(redis, args);
}
