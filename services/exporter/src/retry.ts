/** Bounded attempts with exponential backoff (services/exporter/README.md, "How it works"). */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Wait after the first failure; doubles per failure. */
  readonly initialMs: number;
  /** Longest wait between attempts. */
  readonly maxMs: number;
}

/**
 * The wait after failed attempt `attempt` (1 = the first): initial × 2^(attempt−1),
 * capped, with "equal jitter" (between half and all of it) so targets that come back are
 * not hit by every worker at once. A Retry-After from the target lengthens it, within
 * the cap.
 */
export function backoffMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(30, attempt - 1));
  const jittered = Math.round(base / 2 + (random() * base) / 2);
  return Math.min(policy.maxMs, Math.max(jittered, retryAfterMs ?? 0));
}

/**
 * Waits `ms`, calling `tick` about every 100 ms (consumer heartbeats; kafkajs sends one
 * only when due); resolves false early, within 100 ms, when `keepGoing` turns false.
 */
export async function pause(
  ms: number,
  keepGoing: () => boolean,
  tick: () => Promise<void> = () => Promise.resolve(),
): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (!keepGoing()) return false;
    const left = until - Date.now();
    if (left <= 0) return true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 100)));
    await tick();
  }
}
