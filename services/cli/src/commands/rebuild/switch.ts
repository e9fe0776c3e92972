import type { GenerationPointer } from '@wfm-stream/store';

import type { RebuildAggregators } from './aggregators.js';
import { pause } from './pause.js';
import type { RebuildPlan } from './plan.js';
import type { Report } from './report.js';

/**
 * Step 5: points readers and live aggregators at the new generation; they move within
 * their polling interval. From here on the rebuild finishes rather than stops.
 */
export async function switchGeneration(
  pointer: GenerationPointer,
  plan: RebuildPlan,
  report: Report,
): Promise<void> {
  const previous = await pointer.switchTo(plan.next);
  report.say(
    `switched the generation pointer to ${plan.next}` +
      (previous === plan.current
        ? ''
        : ` (it named ${previous}, not ${plan.current}, just before)`),
  );
}

/**
 * Step 6: waits up to `timeoutMs` for every live aggregator to report the new generation.
 * Returns those that did not (`member (generation)`), after saying so.
 */
export async function waitForLiveAggregators(
  pointer: GenerationPointer,
  plan: RebuildPlan,
  aggregators: RebuildAggregators,
  timeoutMs: number,
  report: Report,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let behind: string[] = [];
  for (;;) {
    aggregators.check();
    behind = [...(await pointer.seen())]
      .filter(([, g]) => g !== plan.next)
      .map(([m, g]) => `${m} (${g})`);
    if (behind.length === 0 || Date.now() > deadline) break;
    await pause(250);
  }
  if (behind.length > 0)
    report.say(`these live aggregators did not follow within the timeout: ${behind.join(', ')}`);
  return behind;
}
