import type { GroupProgress } from '@wfm-stream/kafka';

import { Progress, rate } from '../../progress.js';

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * What the rebuild tells the operator, on stderr: lines, and the progress of the phase it
 * is in (in place on a terminal, a line every 5 s in a log).
 */
export class Report {
  private readonly progress: Progress;

  constructor(private readonly stderr: NodeJS.WriteStream) {
    this.progress = new Progress(stderr, stderr.isTTY ? 250 : 5_000);
  }

  say(line: string): void {
    this.progress.finish();
    this.stderr.write(`${line}\n`);
  }

  /** `rebuilding g1: 40% of 7,231 events, 6100/s, lag 12`. */
  phase(phase: string, generation: string, p: GroupProgress): void {
    this.progress.update((elapsed) => {
      const pct = p.total === 0 ? 100 : Math.floor((p.done * 100) / p.total);
      return `${phase} ${generation}: ${pct}% of ${count(p.total)} events, ${rate(p.done, elapsed)}, lag ${count(p.lag)}`;
    });
  }

  update(text: () => string): void {
    this.progress.update(text);
  }

  finish(): void {
    this.progress.finish();
  }
}
