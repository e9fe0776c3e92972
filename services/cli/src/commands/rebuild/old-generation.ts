import { deleteGeneration } from '@wfm-stream/store';

import type { Connections } from './connections.js';
import type { RebuildPlan } from './plan.js';
import { count, type Report } from './report.js';

/**
 * Step 9: deletes the previous generation's keys, unless asked to keep them or a live
 * aggregator may still write them (it did not follow the switch in time).
 */
export async function retireOldGeneration(
  connections: Connections,
  plan: RebuildPlan,
  options: { readonly keepOld: boolean; readonly behind: readonly string[] },
  report: Report,
): Promise<void> {
  const { redis, prefix } = connections;
  const old = plan.current;
  if (options.keepOld) {
    report.say(
      `kept ${old}; delete it later with: redis-cli --scan --pattern '${prefix}:${old}:*' | xargs -r redis-cli unlink`,
    );
  } else if (options.behind.length > 0) {
    report.say(`kept ${old}, because some live aggregators may still write it`);
  } else {
    const deleted = await deleteGeneration(redis, prefix, old, (n) => {
      report.update(() => `deleting ${old}: ${count(n)} keys`);
    });
    report.say(`deleted ${count(deleted)} keys of ${old}`);
  }
}
