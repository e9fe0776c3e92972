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
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event !== undefined && data !== undefined)
            events.push({ event, data: JSON.parse(data) as unknown, at: Date.now() });
        }
        for (const wake of waiters) wake();
      }
    } catch {
      // closed
    }
  })();
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
