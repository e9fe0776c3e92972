import { reached, summarizeProgress } from '@wfm-stream/kafka';

import type { RebuildAggregators } from './aggregators.js';
import { Stopped } from './errors.js';
import { pause, POLL_MS } from './pause.js';
import type { RebuildPlan } from './plan.js';
import type { Report } from './report.js';

/**
 * Step 4: waits until the rebuild aggregators have applied all the history there was at
 * the start and are at most `maxLag` events behind the live end. Throws Stopped on
 * Ctrl-C, RebuildFailed when an aggregator dies.
 */
export async function catchUp(
  plan: RebuildPlan,
  aggregators: RebuildAggregators,
  maxLag: number,
  report: Report,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (;;) {
    if (signal?.aborted === true) throw new Stopped();
    aggregators.check();
    const now = await plan.positions();
    const p = summarizeProgress(now);
    report.phase('rebuilding', plan.next, p);
    if (reached(now, plan.history) && p.lag <= maxLag) return;
    await pause(POLL_MS, signal);
  }
}
