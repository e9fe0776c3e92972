import type {
  DataGap,
  GapLog,
  ProgressEntry,
  ProgressSnapshot,
  ProgressStore,
} from '@wfm-stream/kafka';

import type { RedisClient } from './connection.js';
import type { Keys } from './keys.js';
import { recordProgress } from './scripts/progress-record.js';

/** The field that says a progress record exists (begun at, epoch ms). */
const BEGUN = 'begun';

/**
 * Where a consumer group's effects stand in a state generation: per partition, the last
 * offset whose writes Redis acknowledged (docs/architecture.md, "When Redis loses data").
 * One hash per generation, `<prefix>:<generation>:{progress}`, one slot.
 */
export class PartitionProgress implements ProgressStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: () => Keys,
    private readonly group: string,
    private readonly ttlSeconds: number,
  ) {}

  private field(topic: string, partition: number): string {
    return `${this.group}\u0000${topic}\u0000${partition}`;
  }

  /** The latest record time applied (epoch ms): raised like the offset, by the same script. */
  private timeField(topic: string, partition: number): string {
    return `${this.field(topic, partition)}\u0000t`;
  }

  scope(): string {
    return this.keys().prefix;
  }

  /** Set when the record was begun after a loss: the group's partitions without progress start over. */
  private lostField(): string {
    return `lost\u0000${this.group}`;
  }

  async read(topic: string, partitions: readonly number[]): Promise<ProgressSnapshot> {
    const keys = this.keys();
    const [values, directory, online] = await Promise.all([
      this.redis.hmget(
        keys.progress(),
        BEGUN,
        this.lostField(),
        ...partitions.map((p) => this.field(topic, p)),
        ...partitions.map((p) => this.timeField(topic, p)),
      ),
      this.redis.exists(
        keys.directory('services'),
        keys.directory('groups'),
        keys.directory('agents'),
      ),
      this.redis.exists(keys.online('state'), keys.online('session')),
    ]);
    const applied = new Map<number, number>();
    const appliedTimestampMs = new Map<number, number>();
    partitions.forEach((partition, i) => {
      const value = values[i + 2];
      if (value !== null && value !== undefined) applied.set(partition, Number(value));
      const time = values[i + 2 + partitions.length];
      if (time !== null && time !== undefined) appliedTimestampMs.set(partition, Number(time));
    });
    return {
      applied,
      appliedTimestampMs,
      exists: values[0] !== null,
      lost: values[1] !== null,
      anyState: directory + online > 0,
      scope: keys.prefix,
    };
  }

  async begin(lost: boolean): Promise<void> {
    const key = this.keys().progress();
    const fields: string[] = [BEGUN, String(Date.now())];
    if (lost) fields.push(this.lostField(), '1');
    await this.redis
      .multi()
      .hset(key, ...fields)
      .expire(key, this.ttlSeconds)
      .exec();
  }

  async record(entries: readonly ProgressEntry[]): Promise<string | undefined> {
    const keys = this.keys();
    if (entries.length === 0) return keys.prefix;
    const raised = await recordProgress(this.redis, {
      key: keys.progress(),
      ttlSeconds: this.ttlSeconds,
      fields: entries.flatMap((e): (readonly [string, string])[] => [
        [this.field(e.topic, e.partition), String(e.offset)],
        ...(e.timestampMs === undefined || !(e.timestampMs > 0)
          ? []
          : [[this.timeField(e.topic, e.partition), String(e.timestampMs)] as const]),
      ]),
    });
    return raised < 0 ? undefined : keys.prefix;
  }
}

/** The data gaps any consumer found, newest first, kept for the reader and operators. */
export class GapRecords implements GapLog {
  /** How many gaps are kept. */
  static readonly KEPT = 100;

  constructor(
    private readonly redis: RedisClient,
    /** The deployment's prefix (REDIS_KEY_PREFIX): gaps are of the topics, not of a generation. */
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(): string {
    return `${this.prefix}:{gaps}`;
  }

  async record(gap: DataGap): Promise<void> {
    await this.redis
      .multi()
      .lpush(this.key(), JSON.stringify(gap))
      .ltrim(this.key(), 0, GapRecords.KEPT - 1)
      .expire(this.key(), this.ttlSeconds)
      .exec();
  }

  async list(): Promise<DataGap[]> {
    const items = await this.redis.lrange(this.key(), 0, GapRecords.KEPT - 1);
    return items.flatMap((item) => {
      try {
        return [JSON.parse(item) as DataGap];
      } catch {
        return [];
      }
    });
  }
}
