import { type AgentStatus, parseStatus } from '@wfm-stream/core';

import type { RedisClient } from '../connection.js';
import { DeploymentKeys } from '../keys.js';
import { deliverFromOutbox, takeOverOutbox } from '../scripts/status-outbox.js';

/** A claimed status change waiting in an agent's outbox. */
export interface OutboxEntry {
  /** The change's order key (padded occurredAt, then eventId): unique per agent. */
  readonly order: string;
  readonly occurredAtMs: number;
  /** When the event was appended to Kafka (for the push latency). */
  readonly appendedAtMs: number;
  /** The agent's status before the change (undefined: never seen). */
  readonly previous: AgentStatus | undefined;
  readonly next: AgentStatus;
}

/**
 * What the outbox says of one agent: the head entry to deliver, nothing left, the lease
 * lost (someone else's), or released for the emitter that claims the agent's changes now.
 */
export type OutboxHead =
  | {
      readonly kind: 'entry';
      readonly seq: number;
      /** Pushes of the entry already delivered (acknowledged). */
      readonly done: number;
      readonly entry: OutboxEntry;
    }
  | { readonly kind: 'empty' }
  | { readonly kind: 'lost' }
  | { readonly kind: 'handedOver' };

/** Delivery of the head entry's pushes so far, to acknowledge. */
export interface OutboxAck {
  readonly seq: number;
  readonly done: number;
  /** That was the entry's last push: the entry leaves the outbox. */
  readonly last: boolean;
}

/** Agents one script call handles at most (bounded calls, docs/architecture.md, "The emitter"). */
export const OUTBOX_CALL_AGENTS = 256;

const FIELD = '\u001c';
/** The digits of occurredAt at the start of an order key (versionKey of libs/core). */
const ORDER_TIME_DIGITS = 15;

function parseHead(reply: string): OutboxHead {
  if (reply === '-') return { kind: 'lost' };
  if (reply === '=') return { kind: 'empty' };
  if (reply === '>') return { kind: 'handedOver' };
  const [seq = '', done = '', order = '', appendedAt = '', previous = '', next = ''] =
    reply.split(FIELD);
  const nextStatus = parseStatus(next);
  if (nextStatus === undefined) throw new Error('outbox entry without a status');
  return {
    kind: 'entry',
    seq: Number(seq),
    done: Number(done),
    entry: {
      order,
      occurredAtMs: Number(order.slice(0, ORDER_TIME_DIGITS)),
      appendedAtMs: Number(appendedAt),
      previous: previous === '' ? undefined : parseStatus(previous),
      next: nextStatus,
    },
  };
}

/**
 * The delivery side of the emitter's outbox (lua/status-deliver-3.lua,
 * lua/status-takeover-2.lua; the claim side is {@link StatusClaims}). An agent's entries are
 * delivered by whoever holds its lease: a lease its holder does not renew runs out, and
 * another emitter takes it over and delivers from where the acknowledgements stopped.
 */
export class StatusOutbox {
  private readonly keys: DeploymentKeys;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {
    this.keys = new DeploymentKeys(keyPrefix);
  }

  /**
   * For each agent: acknowledges what was delivered, renews the lease and returns the head
   * entry (or that nothing is left, or that the lease is someone else's now).
   */
  async hold(
    agents: readonly { readonly agentId: string; readonly ack?: OutboxAck }[],
  ): Promise<OutboxHead[]> {
    return (await this.call('hold', agents)).map(parseHead);
  }

  /** Gives the leases up (a stopping emitter): another emitter takes them over at once. */
  async release(agentIds: readonly string[]): Promise<void> {
    await this.call(
      'release',
      agentIds.map((agentId) => ({ agentId })),
    );
  }

  /** Takes over up to `limit` leases that ran out or were released; returns their agents. */
  takeOver(limit: number): Promise<string[]> {
    return takeOverOutbox(this.redis, {
      keys: this.keys,
      owner: this.owner,
      leaseMs: this.leaseMs,
      limit,
    });
  }

  private async call(
    mode: 'hold' | 'release',
    agents: readonly { readonly agentId: string; readonly ack?: OutboxAck }[],
  ): Promise<string[]> {
    const replies: string[] = [];
    for (let i = 0; i < agents.length; i += OUTBOX_CALL_AGENTS) {
      replies.push(
        ...(await deliverFromOutbox(this.redis, {
          keys: this.keys,
          owner: this.owner,
          leaseMs: this.leaseMs,
          mode,
          agents: agents.slice(i, i + OUTBOX_CALL_AGENTS),
        })),
      );
    }
    return replies;
  }
}
