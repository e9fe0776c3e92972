import { defineScript, type ExportKeys, type RedisClient } from '@wfm-stream/store';

/** The exporter's own scripts, under `lua/`; the lease's renewal and release are the store's locks. */
const LUA_DIR = new URL('../lua/', import.meta.url);

const leaseAcquire = defineScript<
  { keys: ExportKeys; owner: string; ttlMs: number },
  string | null
>({
  dir: LUA_DIR,
  file: 'lease-acquire-2.lua',
  encode: ({ keys, owner, ttlMs }) => ({
    keys: [keys.lease(), keys.leaseToken()],
    argv: [owner, ttlMs],
  }),
  decode: (reply) => (typeof reply === 'string' ? reply : null),
});

/** Takes the scheduler lease when free (or renews it for its owner); its value, or null. */
export function acquireLease(
  redis: RedisClient,
  args: { keys: ExportKeys; owner: string; ttlMs: number },
): Promise<string | null> {
  return leaseAcquire.run(redis, args);
}

/** What one scheduler tick records, fenced by the lease (lua/scheduler-commit-3.lua). */
export interface ScheduleCommit {
  readonly keys: ExportKeys;
  /** The lease value the caller holds. */
  readonly lease: string;
  /** Target → start (epoch ms) of the next interval to enqueue. */
  readonly cursors: ReadonlyMap<string, number>;
  /** Interval start → content hash when enqueued. */
  readonly fingerprints: ReadonlyMap<number, string>;
  /** Interval starts whose fingerprints to forget. */
  readonly forget: readonly number[];
}

const schedulerCommit = defineScript<ScheduleCommit, boolean>({
  dir: LUA_DIR,
  file: 'scheduler-commit-3.lua',
  encode({ keys, lease, cursors, fingerprints, forget }) {
    const argv: (string | number)[] = [lease, cursors.size, fingerprints.size, forget.length];
    for (const [target, start] of cursors) argv.push(target, start);
    for (const [start, hash] of fingerprints) argv.push(start, hash);
    argv.push(...forget);
    return { keys: [keys.lease(), keys.cursors(), keys.fingerprints()], argv };
  },
  decode: (reply) => reply === 1,
});

/** Records a tick's cursors and fingerprints; false when the caller does not hold the lease. */
export function commitSchedule(redis: RedisClient, commit: ScheduleCommit): Promise<boolean> {
  return schedulerCommit.run(redis, commit);
}
