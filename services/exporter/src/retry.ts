import type { BackoffPolicy } from '@wfm-stream/retry';

/**
 * Bounded attempts with the project's backoff (services/exporter/README.md, "How it
 * works"; the waits are @wfm-stream/retry's `backoffMs`, a Retry-After from the target
 * lengthening them within the cap).
 */
export interface RetryPolicy extends BackoffPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
}

export { backoffMs, pause } from '@wfm-stream/retry';
