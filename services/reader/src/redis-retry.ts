import { backoffMs, classifyError } from '@wfm-stream/retry';

/** The waits between attempts: 100 ms, doubling, at most 1 s (jittered). */
const BACKOFF = { initialMs: 100, maxMs: 1_000 };

export type Budgeted<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `work`, and runs it again after a Redis error that says "not now" (a failover, a
 * lost connection, CLUSTERDOWN: `classifyError` of @wfm-stream/retry) until `budgetMs` has
 * passed since the first attempt; an attempt still running at the end of the budget is
 * not waited for. Returns the value, or the last such error once the budget is spent.
 * Other errors (a bug, a script error) are thrown as they are: retrying does not fix them.
 */
export async function withRetryBudget<T>(
  work: () => Promise<T>,
  budgetMs: number,
  onRetry: (error: unknown, attempt: number) => void = () => undefined,
): Promise<Budgeted<T>> {
  const deadline = Date.now() + budgetMs;
  // made only when answered: an Error takes a stack trace, and nearly every request succeeds
  let lastError: { error: unknown } | undefined;
  const spent = (): Budgeted<T> => ({
    ok: false,
    error: lastError === undefined ? new Error('no attempt within the budget') : lastError.error,
  });
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) return spent();
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
      }, left);
    });
    const running = work();
    // an attempt abandoned at the deadline may still fail later: nobody waits for it
    running.catch(() => undefined);
    try {
      const outcome = await Promise.race([running.then((value) => ({ value })), outOfTime]);
      if (outcome === 'timeout') return spent();
      return { ok: true, value: outcome.value };
    } catch (error) {
      if (classifyError(error) !== 'retriable') throw error;
      lastError = { error };
      onRetry(error, attempt);
    } finally {
      clearTimeout(timer);
    }
    const wait = Math.min(backoffMs(BACKOFF, attempt), deadline - Date.now());
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
