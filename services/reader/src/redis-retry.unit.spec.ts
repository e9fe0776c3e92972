import { describe, expect, it } from 'vitest';

import { withRetryBudget } from './redis-retry.js';

/** What ioredis rejects with while a cluster fails over. */
const closed = (): Error => new Error('Connection is closed.');
const clusterDown = (): Error =>
  Object.assign(new Error('CLUSTERDOWN The cluster is down'), { name: 'ReplyError' });

describe('the reader’s Redis retry budget (READER_REDIS_RETRY_BUDGET)', () => {
  it('retries "not now" errors until an attempt succeeds', async () => {
    const failures = [closed(), clusterDown()];
    let attempts = 0;
    const retried: number[] = [];
    const result = await withRetryBudget(
      () => {
        attempts++;
        const failure = failures.shift();
        return failure === undefined ? Promise.resolve('answer') : Promise.reject(failure);
      },
      5_000,
      (_error, attempt) => retried.push(attempt),
    );
    expect(result).toEqual({ ok: true, value: 'answer' });
    expect(attempts).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('gives up when the budget is spent, with the last error', async () => {
    const started = Date.now();
    const result = await withRetryBudget(() => Promise.reject(closed()), 300);
    expect(result.ok).toBe(false);
    expect(!result.ok && (result.error as Error).message).toBe('Connection is closed.');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('does not wait for an attempt beyond the budget', async () => {
    const started = Date.now();
    let release: (() => void) | undefined;
    const result = await withRetryBudget(
      () =>
        new Promise<string>((resolve) => {
          release = () => {
            resolve('late');
          };
        }),
      200,
    );
    expect(result.ok).toBe(false);
    // the budget, not the attempt, ended it (an attempt that never settles)
    expect(Date.now() - started).toBeLessThan(5_000);
    release?.();
  });

  it('throws errors that retrying does not fix, at once', async () => {
    let attempts = 0;
    await expect(
      withRetryBudget(() => {
        attempts++;
        return Promise.reject(
          Object.assign(new Error('ERR user_script:1: bad'), { name: 'ReplyError' }),
        );
      }, 5_000),
    ).rejects.toThrow(/user_script/);
    expect(attempts).toBe(1);
    await expect(
      withRetryBudget(() => Promise.reject(new TypeError('bug')), 5_000),
    ).rejects.toThrow(TypeError);
  });
});
