import type { Kafka } from 'kafkajs';

/** Events per second of whatever `run` consumes, from its first batch to its last. */
export async function timed(
  total: number,
  run: (onBatch: (n: number) => void) => Promise<() => Promise<void>>,
): Promise<number> {
  let first = 0;
  let last = 0;
  let seen = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const stop = await run((n) => {
    if (first === 0) first = performance.now();
    seen += n;
    last = performance.now();
    if (seen >= total) resolveDone();
  });
  await done;
  await stop();
  return (total * 1000) / (last - first);
}

/**
 * Events/s of a bare kafkajs consumer (4 partitions at a time, JSON.parse of each value)
 * reading `total` messages of `topics` from their start in a fresh group: the baseline the
 * project's own consumers are compared with.
 */
export function bareConsumeRate(
  kafka: Kafka,
  topics: readonly string[],
  total: number,
  groupId: string,
): Promise<number> {
  return timed(total, async (onBatch) => {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: ({ batch }) => {
        for (const m of batch.messages) JSON.parse(m.value?.toString() ?? '{}');
        onBatch(batch.messages.length);
        return Promise.resolve();
      },
    });
    return () => consumer.disconnect();
  });
}

/** Resolves once `check` holds, looking every 20 ms; rejects after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
