/**
 * The project's one backoff: exponential with "equal jitter" (between half and all of
 * the exponential step), capped. Used by the consumer's batch retries, the emitter's
 * pushes and the exporter's deliveries (docs/architecture.md, "Failures and retries").
 */
export interface BackoffPolicy {
  /** Wait after the first failure, ms; doubles per failure. */
  readonly initialMs: number;
  /** Longest wait, ms. */
  readonly maxMs: number;
}

/**
 * The wait after failed attempt `attempt` (1 = the first): initial × 2^(attempt−1),
 * capped at `maxMs`, then jittered into [half, all] of it, so that clients that failed
 * together do not come back together. A server's own hint (Retry-After) lengthens it,
 * within the cap.
 */
export function backoffMs(
  policy: BackoffPolicy,
  attempt: number,
  hintMs = 0,
  random: () => number = Math.random,
): number {
  const step = Math.min(
    policy.maxMs,
    policy.initialMs * 2 ** Math.min(30, Math.max(0, attempt - 1)),
  );
  const jittered = Math.round(step / 2 + (random() * step) / 2);
  return Math.min(policy.maxMs, Math.max(jittered, hintMs));
}

/**
 * Waits `ms`, calling `tick` about every 100 ms (a consumer's heartbeat; kafkajs sends one
 * only when due); resolves false early, within 100 ms, when `keepGoing` turns false.
 */
export async function pause(
  ms: number,
  keepGoing: () => boolean = () => true,
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
