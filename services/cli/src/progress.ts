/** Where progress goes: stderr, or anything with `write` (tests). */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean | undefined;
  /** Width of the terminal, when known: an in-place line is cut to fit it. */
  readonly columns?: number | undefined;
}

export interface ProgressOptions {
  /** On a terminal: redraw the line at most this often (default 250 ms). */
  readonly redrawMs?: number;
  /** Elsewhere (a log, a pipe): write a summary line at most this often (default 10 s). */
  readonly summaryMs?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

/** Clears the rest of the line. */
const CLEAR_LINE = '\u001b[K';

/**
 * Progress of long work. On a terminal it is one line, rewritten in place (carriage
 * return and clear-line) at most every `redrawMs`. Anywhere else it is a summary line at
 * most every `summaryMs`, and none when nothing changed since the last one, so a log
 * gets a line every ten seconds or so instead of one per tick. `done(line)` ends with a
 * final line in both cases.
 */
export class Progress {
  private readonly now: () => number;
  private readonly started: number;
  private readonly intervalMs: number;
  private last = Number.NEGATIVE_INFINITY;
  private lastText: string | undefined;
  private drawn = false;

  /** `options` as a number: the interval in both modes (what a command chose for itself). */
  constructor(
    private readonly stream: ProgressStream,
    options: ProgressOptions | number = {},
  ) {
    const o = typeof options === 'number' ? { redrawMs: options, summaryMs: options } : options;
    this.now = o.now ?? (() => Date.now());
    this.started = this.now();
    this.last = this.started;
    this.intervalMs = this.tty ? (o.redrawMs ?? 250) : (o.summaryMs ?? 10_000);
  }

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  /**
   * Reports when due. `text` gets the time since the start. `force` redraws a terminal
   * line at once; off a terminal a summary still waits its turn.
   */
  update(text: (elapsedMs: number) => string, force = false): void {
    const now = this.now();
    if (!(force && this.tty) && now - this.last < this.intervalMs) return;
    const line = text(now - this.started);
    this.last = now;
    if (this.tty) {
      this.draw(line);
    } else if (line !== this.lastText) {
      this.lastText = line;
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the in-place line so that other output starts on a clean line. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  /** The final line: on a terminal it replaces the in-place line. */
  done(line: string): void {
    if (this.drawn) this.stream.write(`\r${CLEAR_LINE}`);
    this.drawn = false;
    this.stream.write(`${line}\n`);
  }

  private draw(line: string): void {
    const width = this.stream.columns;
    const fitted =
      width !== undefined && width > 1 && line.length >= width
        ? `${line.slice(0, width - 2)}…`
        : line;
    this.stream.write(`\r${CLEAR_LINE}${fitted}`);
    this.drawn = true;
  }
}

export function rate(count: number, elapsedMs: number): string {
  return elapsedMs <= 0 ? '—' : `${Math.round((count * 1000) / elapsedMs)}/s`;
}
