/** One event of a Server-Sent Events stream: its name and its data, parsed as JSON. */
export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

/**
 * Reads a Server-Sent Events body (the live stream, docs/api.md "GET /online/stream") to
 * its end: `onEvent` for each frame that has an event name and data, `onChunk` after
 * each chunk read. A body cut off (the client aborted) ends it quietly.
 */
export async function readSseEvents(
  body: AsyncIterable<Uint8Array>,
  onEvent: (event: SseEvent) => void,
  onChunk: () => void = () => undefined,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event !== undefined && data !== undefined)
          onEvent({ event, data: JSON.parse(data) as unknown });
      }
      onChunk();
    }
  } catch {
    // closed
  }
}
