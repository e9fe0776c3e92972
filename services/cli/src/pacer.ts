/**
 * Paces work to a rate: `take(n)` resolves when n more units may go, so that over time no
 * more than `perSecond` go per second. Without a rate it never waits.
 */
export class Pacer {
  private readonly started = Date.now();
  private sent = 0;

  constructor(private readonly perSecond?: number) {}

  async take(n: number): Promise<void> {
    this.sent += n;
    if (this.perSecond === undefined) return;
    const due = this.started + (this.sent * 1000) / this.perSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
