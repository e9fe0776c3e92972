import {
  type AgentStatus,
  parseStatus,
  serializeStatus,
  statusAfter,
  type StatusChange,
  versionKey,
} from '@wfm-stream/core';

import type { RedisClient } from '../connection.js';
import { DeploymentKeys } from '../keys.js';
import { claimStatuses } from '../scripts/status-claim.js';

export interface StatusChangeToClaim {
  readonly agentId: string;
  readonly eventId: string;
  readonly occurredAtMs: number;
  readonly change: StatusChange;
}

/** Records of the hash one claim call looks at for expiry (a bounded HSCAN slice). */
export const EXPIRY_SLICE = 64;

/** The outcome of a claim: push from `previous` (undefined: agent never seen), or stale. */
export type ClaimResult =
  | { readonly claimed: true; readonly previous: AgentStatus | undefined }
  | { readonly claimed: false };

/**
 * The emitter's record of what it has pushed per agent (lua/status-claim-2.lua). It is
 * not derived state: it lives outside the state generations, under
 * `<REDIS_KEY_PREFIX>:{emitter}:status`, one hash (one slot) for every agent, so a whole
 * batch is claimed in one round trip. An agent's record is forgotten `ttlSeconds` after
 * its last claim: each call also expires up to {@link EXPIRY_SLICE} old records.
 */
export class StatusClaims {
  private readonly keys: DeploymentKeys;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly ttlSeconds: number,
  ) {
    this.keys = new DeploymentKeys(keyPrefix);
  }

  /** Claims the changes in the order given (a batch of one partition, in offset order). */
  async claim(changes: readonly StatusChangeToClaim[]): Promise<ClaimResult[]> {
    if (changes.length === 0) return [];
    const replies = await claimStatuses(this.redis, {
      keys: this.keys,
      ttlSeconds: this.ttlSeconds,
      sweepCount: EXPIRY_SLICE,
      claims: changes.map((c) => ({
        agentId: c.agentId,
        order: versionKey(c.occurredAtMs, c.eventId),
        status: serializeStatus(statusAfter(c.change)),
      })),
    });
    return replies.map((reply) =>
      reply === '!' ? { claimed: false } : { claimed: true, previous: parseStatus(reply) },
    );
  }
}
