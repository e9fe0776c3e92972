import type { RedisClient } from '../connection.js';
import { defineScript } from '../scripts.js';

/** A lock held under `key` with the value `holder` (lua/lock-renew-1.lua, lock-release-1.lua). */
export interface LockArgs {
  readonly key: string;
  readonly holder: string;
}

const lockRenew = defineScript<LockArgs & { ttlMs: number }, boolean>({
  file: 'lock-renew-1.lua',
  encode: ({ key, holder, ttlMs }) => ({ keys: [key], argv: [holder, ttlMs] }),
  decode: (reply) => reply === 1,
});

const lockRelease = defineScript<LockArgs, boolean>({
  file: 'lock-release-1.lua',
  encode: ({ key, holder }) => ({ keys: [key], argv: [holder] }),
  decode: (reply) => reply === 1,
});

/** Extends the lock while `holder` still holds it; false when it was lost. */
export function renewLock(
  redis: RedisClient,
  args: LockArgs & { ttlMs: number },
): Promise<boolean> {
  return lockRenew.run(redis, args);
}

/** Releases the lock if `holder` holds it; false when it did not. */
export function releaseLock(redis: RedisClient, args: LockArgs): Promise<boolean> {
  return lockRelease.run(redis, args);
}
