import { type ExportKeys, type RedisClient, releaseLock, renewLock } from '@wfm-stream/store';

import { acquireLease } from './scripts.js';

/**
 * The scheduler's lease: at most one scheduler acts at a time across replicas. A Redis
 * key set only when absent (lua/lease-acquire-2.lua), with a time to live the holder
 * renews every tick; its value carries a fencing token that grows with every new
 * holder. The holder's writes are fenced (lua/scheduler-commit-3.lua): a scheduler that
 * paused past its lease (a long GC, a network partition) and lost it cannot move the
 * cursors once it wakes up.
 */
export class SchedulerLease {
  private held: string | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ExportKeys,
    private readonly ownerId: string,
    private readonly ttlMs: number,
  ) {}

  /** The lease value while held: "<fencing token>:<owner>". */
  get value(): string | undefined {
    return this.held;
  }

  /** Takes the lease when free, renews it when held; returns whether this owner holds it. */
  async acquireOrRenew(): Promise<boolean> {
    if (this.held !== undefined) {
      const renewed = await renewLock(this.redis, {
        key: this.keys.lease(),
        holder: this.held,
        ttlMs: this.ttlMs,
      });
      if (renewed) return true;
      this.held = undefined;
    }
    const value = await acquireLease(this.redis, {
      keys: this.keys,
      owner: this.ownerId,
      ttlMs: this.ttlMs,
    });
    this.held = value ?? undefined;
    return this.held !== undefined;
  }

  /** Forgets the lease locally (after a refused fenced write). */
  lost(): void {
    this.held = undefined;
  }

  /** Gives the lease up so a successor need not wait for it to expire. */
  async release(): Promise<void> {
    const value = this.held;
    this.held = undefined;
    if (value !== undefined)
      await releaseLock(this.redis, { key: this.keys.lease(), holder: value });
  }
}
