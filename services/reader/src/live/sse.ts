import type { ServerResponse } from 'node:http';

/** One Server-Sent Events frame; JSON has no raw newlines, so the data is one line. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * A client of the live stream. Writes never wait: a client that reads slower than the
 * stream is sent, so that more than `maxBufferBytes` wait in its socket, is closed (it
 * reconnects and starts again from a snapshot) rather than held in memory.
 */
export class SseConnection {
  private closed = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly maxBufferBytes: number,
  ) {
    response.on('close', () => {
      this.closed = true;
    });
  }

  get isOpen(): boolean {
    return !this.closed && !this.response.writableEnded;
  }

  send(event: string, data: unknown): void {
    this.write(sseFrame(event, data));
  }

  /** A comment line: keeps proxies from closing a quiet connection. */
  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.response.end();
  }

  private write(text: string): void {
    if (!this.isOpen) return;
    if (this.response.writableLength > this.maxBufferBytes) {
      this.close();
      return;
    }
    this.response.write(text);
  }
}
