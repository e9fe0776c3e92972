/**
 * Runs a recomputation when asked, never two at once and at most once per `minGapMs`:
 * requests that arrive while it runs, or within the gap, are folded into one more run.
 * So a burst of change notices costs one or two reads, and the first one is not delayed.
 */
export class Coalescer {
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private lastStart = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly run: () => Promise<void>,
    private readonly minGapMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) return;
    const wait = this.lastStart + this.minGapMs - this.clock();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.start();
      }, wait);
      return;
    }
    this.start();
  }

  /** Stops scheduling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  private start(): void {
    if (this.stopped) return;
    this.running = true;
    this.again = false;
    this.lastStart = this.clock();
    this.current = this.run()
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        if (this.again) this.trigger();
      });
  }
}
