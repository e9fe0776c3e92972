import { endsOf, reached, summarizeProgress } from '@wfm-stream/kafka';

import type { RebuildAggregators } from './aggregators.js';
import { describe } from './errors.js';
import { pause, POLL_MS } from './pause.js';
import type { RebuildPlan } from './plan.js';
import { count, type Report } from './report.js';

/**
 * Step 7: whatever the live aggregators wrote to the old generation before they followed
 * lies below the log ends of now; the rebuild aggregators apply it to the new one too
 * (duplicates change nothing). Waits until they have, then stops them.
 * Returns whether they stopped cleanly.
 */
export async function drain(
  plan: RebuildPlan,
  aggregators: RebuildAggregators,
  report: Report,
): Promise<boolean> {
  const drainTo = endsOf(await plan.positions());
  for (;;) {
    aggregators.check();
    const now = await plan.positions();
    report.phase('draining', plan.next, summarizeProgress(now));
    if (reached(now, drainTo)) break;
    await pause(POLL_MS);
  }
  return aggregators.stop();
}

/** Step 8: deletes the finished consumer group and says what was rebuilt. */
export async function reportRebuilt(
  plan: RebuildPlan,
  admin: { deleteGroups(groups: string[]): Promise<unknown> },
  startedMs: number,
  clean: boolean,
  report: Report,
): Promise<void> {
  const applied = summarizeProgress(await plan.positions()).done;
  await admin.deleteGroups([plan.group]).catch((error: unknown) => {
    report.say(`could not delete the finished consumer group ${plan.group}: ${describe(error)}`);
  });
  report.say(
    `rebuilt ${plan.next} from ${count(applied)} events in ${((Date.now() - startedMs) / 1000).toFixed(1)} s; ` +
      `readers and live aggregators use ${plan.next}` +
      (clean ? '' : ' (a rebuild aggregator did not stop cleanly: its last batch is applied)'),
  );
}
