import { performance } from 'node:perf_hooks';

import { type AgentStatus, type StatusChange, statusPushes } from '@wfm-stream/core';
import type { Logger } from '@wfm-stream/observability';
import { backoffMs } from '@wfm-stream/retry';
import type { OutboxAck, OutboxHead, StatusOutbox } from '@wfm-stream/store';

import { pushKey } from './push-key.js';
import type { PushMetrics } from './push-metrics.js';
import type { StatusPusher } from './status-pusher.js';

export interface DeliverySettings {
  /** How long a lease lasts unrenewed (PUSH_LEASE). */
  readonly leaseMs: number;
  readonly systemId: string;
}

/** Leases taken over at most per look (a bounded script call). */
const TAKEOVER_LIMIT = 256;
/** Retry delays of a failing Redis call (the outbox is retried, never given up). */
const REDIS_RETRY = { initialMs: 100, maxMs: 2_000 };

/** The change an outbox entry records, as the pure push maker takes it. */
function changeTo(next: AgentStatus): StatusChange {
  return next.loggedIn ? { kind: 'state', code: next.code, name: next.name } : { kind: 'logout' };
}

interface HoldRequest {
  readonly agentId: string;
  readonly ack: OutboxAck | undefined;
  resolve(head: OutboxHead): void;
  reject(error: unknown): void;
}

/**
 * Delivers the outbox (docs/architecture.md, "The emitter"): one loop per agent whose
 * lease this process holds, which sends the agent's head push, acknowledges it once the
 * WFM answered, and goes on with the next, so an agent's pushes arrive in order while
 * agents never wait for each other. Every quarter lease it renews the leases it holds and
 * takes over the ones that ran out (their holder died). A push is attempted only while the
 * lease covers the whole attempt (PUSH_TIMEOUT), so two emitters never send an agent's
 * pushes at once. The loops' outbox calls are batched: one script call per turn of the
 * event loop for every agent that asks.
 */
export class StatusDelivery {
  private readonly loops = new Map<string, Promise<void>>();
  /** Agents woken while their loop was ending: it runs again. */
  private readonly again = new Set<string>();
  /** Per agent, until when (performance.now()) the lease is surely still ours. */
  private readonly validUntil = new Map<string, number>();
  private readonly lost = new Set<string>();
  private queued: HoldRequest[] = [];
  private draining = false;
  private halted = false;
  private readonly timer: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly outbox: StatusOutbox,
    private readonly pusher: StatusPusher,
    private readonly metrics: PushMetrics,
    private readonly logger: Logger,
    private readonly settings: DeliverySettings,
  ) {
    this.timer = setInterval(() => void this.tick(), Math.max(50, settings.leaseMs / 4));
    this.timer.unref();
  }

  /** Agents whose pushes this process is delivering. */
  get pending(): number {
    return this.loops.size;
  }

  /** The agent has entries and this process holds its lease (a claim or a takeover said so). */
  wake(agentId: string): void {
    if (this.halted) return;
    if (this.loops.has(agentId)) {
      this.again.add(agentId);
      return;
    }
    this.lost.delete(agentId);
    const loop = this.run(agentId).finally(() => {
      this.loops.delete(agentId);
      this.validUntil.delete(agentId);
      this.metrics.pending.set(this.loops.size);
      if (this.again.delete(agentId)) this.wake(agentId);
    });
    this.loops.set(agentId, loop);
    this.metrics.pending.set(this.loops.size);
  }

  /**
   * Stops taking leases over, lets the loops finish for up to `drainMs`, then halts them
   * (a POST in flight gets its answer or its timeout) and releases the leases still held,
   * so another emitter delivers the rest at once. Returns the agents released.
   */
  async stop(drainMs: number): Promise<number> {
    this.draining = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.loops.values()),
      new Promise((resolve) => {
        timer = setTimeout(resolve, drainMs);
      }),
    ]);
    clearTimeout(timer);
    this.halted = true;
    this.again.clear();
    const held = [...this.loops.keys()];
    await Promise.all(this.loops.values());
    clearInterval(this.timer);
    try {
      await this.outbox.release(held);
    } catch (error) {
      // the leases run out by themselves (PUSH_LEASE), and another emitter takes them over
      this.logger.warn({ err: error, agents: held.length }, 'outbox leases not released');
    }
    return held.length;
  }

  private mayAttempt(agentId: string): boolean {
    return (
      !this.halted &&
      !this.lost.has(agentId) &&
      performance.now() + this.pusher.timeoutMs < (this.validUntil.get(agentId) ?? 0)
    );
  }

  private async run(agentId: string): Promise<void> {
    let ack: OutboxAck | undefined;
    for (let failures = 0; !this.halted;) {
      const asked = performance.now();
      let head: OutboxHead;
      try {
        head = await this.hold(agentId, ack);
        failures = 0;
      } catch (error) {
        this.logger.warn({ err: error, agentId }, 'outbox unreachable; retrying');
        await new Promise((resolve) =>
          setTimeout(resolve, backoffMs(REDIS_RETRY, ++failures)).unref(),
        );
        continue;
      }
      ack = undefined;
      if (head.kind !== 'entry') return;
      this.validUntil.set(agentId, asked + this.settings.leaseMs);
      const { entry } = head;
      const pushes = statusPushes(
        agentId,
        entry.previous,
        changeTo(entry.next),
        entry.occurredAtMs,
        this.settings.systemId,
      );
      const push = pushes[head.done];
      if (push === undefined) {
        // nothing (more) to send for this change: a logout of an agent not logged in
        ack = { seq: head.seq, done: pushes.length, last: true };
        continue;
      }
      const outcome = await this.pusher.send(
        push,
        pushKey(agentId, entry.order, push),
        entry.appendedAtMs,
        () => this.mayAttempt(agentId),
      );
      if (outcome === 'halted') {
        if (this.lost.has(agentId)) return;
        continue; // the lease needs renewing first: the next hold does it
      }
      ack = { seq: head.seq, done: head.done + 1, last: head.done + 1 >= pushes.length };
    }
  }

  /** One agent's outbox call, batched with the others asked in the same turn. */
  private hold(agentId: string, ack: OutboxAck | undefined): Promise<OutboxHead> {
    return new Promise((resolve, reject) => {
      if (this.queued.length === 0) setImmediate(() => void this.flush());
      this.queued.push({ agentId, ack, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const requests = this.queued;
    this.queued = [];
    try {
      const heads = await this.outbox.hold(requests);
      requests.forEach((r, i) => {
        const head = heads[i];
        if (head === undefined) r.reject(new Error('outbox reply too short'));
        else r.resolve(head);
      });
    } catch (error) {
      for (const r of requests) r.reject(error);
    }
  }

  /** Renews the leases held, and takes over those that ran out. */
  private async tick(): Promise<void> {
    if (this.ticking || this.halted) return;
    this.ticking = true;
    try {
      const held = [...this.loops.keys()];
      if (held.length > 0) {
        const asked = performance.now();
        const heads = await this.outbox.hold(held.map((agentId) => ({ agentId })));
        held.forEach((agentId, i) => {
          if (heads[i]?.kind === 'lost') this.lost.add(agentId);
          else if (this.loops.has(agentId))
            this.validUntil.set(agentId, asked + this.settings.leaseMs);
        });
      }
      if (this.draining) return;
      const taken = await this.outbox.takeOver(TAKEOVER_LIMIT);
      if (taken.length > 0) {
        this.metrics.takeovers.inc(taken.length);
        this.logger.info({ agents: taken.length }, 'outbox leases taken over');
      }
      for (const agentId of taken) this.wake(agentId);
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox leases not renewed; retrying');
    } finally {
      this.ticking = false;
    }
  }
}
