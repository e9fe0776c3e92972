import { readSseEvents } from '@wfm-stream/testing';

/** A client of the live stream in Node: every event with when it arrived. */
export interface StreamProbe {
  /** Resolves with the arrival time (epoch ms) of the first event after `sinceMs` that matches. */
  arrival(
    event: string,
    matches: (data: unknown) => boolean,
    sinceMs: number,
    timeoutMs?: number,
  ): Promise<number>;
  close(): void;
}

export async function openStream(
  url: string,
  headers: Record<string, string>,
): Promise<StreamProbe> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  if (response.status !== 200 || response.body === null)
    throw new Error(`the stream answered ${response.status}`);
  const events: { event: string; data: unknown; at: number }[] = [];
  const waiters = new Set<() => void>();
  void readSseEvents(
    response.body,
    (e) => events.push({ ...e, at: Date.now() }),
    () => {
      for (const wake of waiters) wake();
    },
  );
  return {
    arrival(event, matches, sinceMs, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find((e) => e.at >= sinceMs && e.event === event && matches(e.data));
          if (found === undefined) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found.at);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching ${event} event within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close() {
      abort.abort();
    },
  };
}
