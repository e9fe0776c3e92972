import type { ExportKeys, RedisClient } from '@wfm-stream/store';

/**
 * What each target has received: per (target, interval) the content hash of the last
 * delivery. The worker writes it after a delivery succeeds and checks it before
 * delivering, so a job redelivered by Kafka (a crash before the offset was committed, a
 * rebalance) or enqueued twice does not deliver the same content twice. A crash between
 * the delivery and this write delivers once more with the same Idempotency-Key.
 */
export class DeliveredLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ExportKeys,
    private readonly ttlMs: number,
  ) {}

  async hashOf(target: string, intervalStartMs: number): Promise<string | undefined> {
    return (await this.redis.get(this.keys.delivered(target, intervalStartMs))) ?? undefined;
  }

  async record(target: string, intervalStartMs: number, hash: string): Promise<void> {
    await this.redis.set(this.keys.delivered(target, intervalStartMs), hash, 'PX', this.ttlMs);
  }
}
