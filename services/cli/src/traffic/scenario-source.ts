import type { EventPublisher } from '@wfm-stream/kafka';
import type { Logger } from '@wfm-stream/observability';

import { contactEvents, directoryEvents, type PendingEvent } from './scenario.js';

export interface TrafficSource {
  /** Events published so far. */
  published(): number;
  stop(): Promise<void>;
}

/**
 * Plays the built-in scenario in real time: the directory first, then a new contact every
 * `intervalMs`, each of its events published when due.
 */
export async function startScenario(
  publisher: EventPublisher,
  logger: Logger,
  options: { intervalMs?: number; runId?: string } = {},
): Promise<TrafficSource> {
  const intervalMs = options.intervalMs ?? 500;
  const runId = options.runId ?? Date.now().toString(36);
  let count = 0;
  let pending: PendingEvent[] = [];
  let next = 0;
  let nextContactAt = Date.now();
  await publisher.publish(directoryEvents(Date.now()));
  count += directoryEvents(0).length;
  let busy = Promise.resolve();
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    busy = busy.then(async () => {
      const now = Date.now();
      while (nextContactAt <= now) {
        pending.push(...contactEvents(next, nextContactAt, runId));
        next++;
        nextContactAt += intervalMs;
      }
      const due = pending.filter((p) => p.at <= now).sort((a, b) => a.at - b.at);
      pending = pending.filter((p) => p.at > now);
      if (due.length === 0) return;
      try {
        await publisher.publish(due.map((p) => p.event));
        count += due.length;
      } catch (error) {
        logger.warn({ err: error }, 'could not publish scenario events; will retry');
        pending.push(...due);
      }
    });
  };
  const timer = setInterval(tick, 100);
  tick();
  return {
    published: () => count,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy;
    },
  };
}
