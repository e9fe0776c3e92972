/** Progress of long work, on stderr: one line rewritten in place on a terminal, a line every few seconds otherwise. */
export class Progress {
  private last = Date.now();
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly intervalMs = stream.isTTY ? 250 : 5_000,
  ) {}

  /** Reports when due; `force` redraws a terminal line at once (off a terminal it waits its turn). */
  update(text: (elapsedMs: number) => string, force = false): void {
    const now = Date.now();
    if (!(force && this.stream.isTTY) && now - this.last < this.intervalMs) return;
    this.last = now;
    const line = text(now - this.started);
    if (this.stream.isTTY) {
      this.stream.write(`\r\u001b[K${line}`);
      this.drawn = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the in-place line so the next output starts clean. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

export function rate(count: number, elapsedMs: number): string {
  return elapsedMs <= 0 ? '—' : `${Math.round((count * 1000) / elapsedMs)}/s`;
}
