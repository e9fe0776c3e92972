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
  /** When the event was appended to Kafka (for the push latency); the claim's time if unknown. */
  readonly appendedAtMs?: number;
}

/** Who delivers what a claim puts in the outbox (lua/status-claim-5.lua). */
export interface ClaimDelivery {
  /** This process's owner id for outbox leases. */
  readonly owner: string;
  readonly leaseMs: number;
  /** Most entries the outbox holds (PUSH_MAX_PENDING). */
  readonly maxPending: number;
}

/** Records of the hash one claim call looks at for expiry (a bounded HSCAN slice). */
export const EXPIRY_SLICE = 64;

/**
 * The outcome of a claim: stale, or claimed from `previous` (undefined: agent never seen)
 * and `leased` (in the outbox, and the caller holds the agent's lease: it delivers),
 * `queued` (in the outbox behind another emitter's lease) or `full` (not queued: the
 * outbox holds PUSH_MAX_PENDING entries).
 */
export type ClaimResult =
  | {
      readonly claimed: true;
      readonly previous: AgentStatus | undefined;
      readonly delivery: 'leased' | 'queued' | 'full';
    }
  | { readonly claimed: false };

const DELIVERY: Readonly<Record<string, 'leased' | 'queued' | 'full' | undefined>> = {
  L: 'leased',
  Q: 'queued',
  F: 'full',
};

/**
 * The emitter's record of what it has claimed per agent, and the outbox the claimed
 * changes wait in until delivered (lua/status-claim-5.lua; delivery: {@link StatusOutbox}).
 * It is not derived state: it lives outside the state generations, under
 * `<REDIS_KEY_PREFIX>:{emitter}:status` and `…:{emitter}:outbox…`, one slot for every
 * agent, so a whole batch is claimed in one round trip. An agent's record is forgotten
 * `ttlSeconds` after its last claim: each call also expires up to {@link EXPIRY_SLICE}
 * old records.
 */
export class StatusClaims {
  private readonly keys: DeploymentKeys;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly ttlSeconds: number,
    private readonly delivery: ClaimDelivery = {
      owner: 'unnamed',
      leaseMs: 10_000,
      maxPending: 100_000,
    },
  ) {
    this.keys = new DeploymentKeys(keyPrefix);
  }

  /** Claims the changes in the order given (a batch of one partition, in offset order). */
  async claim(changes: readonly StatusChangeToClaim[]): Promise<ClaimResult[]> {
    if (changes.length === 0) return [];
    const now = Date.now();
    const replies = await claimStatuses(this.redis, {
      keys: this.keys,
      ttlSeconds: this.ttlSeconds,
      sweepCount: EXPIRY_SLICE,
      owner: this.delivery.owner,
      leaseMs: this.delivery.leaseMs,
      maxPending: this.delivery.maxPending,
      claims: changes.map((c) => ({
        agentId: c.agentId,
        order: versionKey(c.occurredAtMs, c.eventId),
        status: serializeStatus(statusAfter(c.change)),
        appendedAtMs: c.appendedAtMs ?? now,
      })),
    });
    return replies.map((reply): ClaimResult => {
      const delivery = DELIVERY[reply.charAt(0)];
      if (delivery === undefined) return { claimed: false };
      return { claimed: true, previous: parseStatus(reply.slice(1)), delivery };
    });
  }
}
