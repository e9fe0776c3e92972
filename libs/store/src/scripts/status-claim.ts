import type { RedisClient } from '../connection.js';
import type { DeploymentKeys } from '../keys.js';
import { defineScript, type ScriptArg } from '../scripts.js';

/** One status change to claim (lua/status-claim-2.lua). */
export interface StatusClaim {
  readonly agentId: string;
  /** versionKey(occurredAt, eventId). */
  readonly order: string;
  /** The status after the change, serialised. */
  readonly status: string;
}

export interface StatusClaimArgs {
  readonly keys: DeploymentKeys;
  readonly ttlSeconds: number;
  /** How many fields one call looks at for expiry (HSCAN COUNT). */
  readonly sweepCount: number;
  readonly claims: readonly StatusClaim[];
}

const statusClaim = defineScript<StatusClaimArgs, string[]>({
  file: 'status-claim-2.lua',
  encode({ keys, ttlSeconds, sweepCount, claims }) {
    const argv: ScriptArg[] = [ttlSeconds, sweepCount];
    for (const c of claims) argv.push(c.agentId, c.order, c.status);
    return { keys: [keys.statusClaims(), keys.statusClaimsSweep()], argv };
  },
  decode: (reply) => (reply as unknown[]).map(String),
});

/** Per claim: the agent's previous status ('' when never seen), or '!' when not later. */
export function claimStatuses(redis: RedisClient, args: StatusClaimArgs): Promise<string[]> {
  return statusClaim.run(redis, args);
}
