import type { RedisClient } from '../connection.js';
import type { DeploymentKeys } from '../keys.js';
import { defineScript, type ScriptArg } from '../scripts.js';

/** One status change to claim (lua/status-claim-5.lua). */
export interface StatusClaim {
  readonly agentId: string;
  /** versionKey(occurredAt, eventId). */
  readonly order: string;
  /** The status after the change, serialised. */
  readonly status: string;
  /** When the event was appended to Kafka, ms (for the push latency). */
  readonly appendedAtMs: number;
}

export interface StatusClaimArgs {
  readonly keys: DeploymentKeys;
  readonly ttlSeconds: number;
  /** How many fields one call looks at for expiry (HSCAN COUNT). */
  readonly sweepCount: number;
  /** The claiming emitter's owner id, its lease and the outbox's bound (PUSH_MAX_PENDING). */
  readonly owner: string;
  readonly leaseMs: number;
  readonly maxPending: number;
  readonly claims: readonly StatusClaim[];
}

const statusClaim = defineScript<StatusClaimArgs, string[]>({
  file: 'status-claim-5.lua',
  encode({ keys, ttlSeconds, sweepCount, owner, leaseMs, maxPending, claims }) {
    const argv: ScriptArg[] = [ttlSeconds, sweepCount, owner, leaseMs, maxPending];
    for (const c of claims) argv.push(c.agentId, c.order, c.status, c.appendedAtMs);
    return {
      keys: [
        keys.statusClaims(),
        keys.statusClaimsSweep(),
        keys.statusOutbox(),
        keys.statusOutboxEntries(),
        keys.statusOutboxLeases(),
      ],
      argv,
    };
  },
  decode: (reply) => (reply as unknown[]).map(String),
});

/**
 * Per claim: '!' when not later than the agent's claimed change; else 'L' (the caller holds
 * the agent's lease), 'Q' (queued behind another holder) or 'F' (the outbox is full),
 * followed by the agent's previous status ('' when never seen).
 */
export function claimStatuses(redis: RedisClient, args: StatusClaimArgs): Promise<string[]> {
  return statusClaim.run(redis, args);
}
