import { HIST, HIST_LENGTH } from '../contacts/contribution.js';
import { addInto, type ServiceGroupInterval, serviceGroupInterval } from '../metrics/formulas.js';
import { type IntervalGrid, intervalStart } from '../time/grid.js';

/** A storage bucket's summed historic vector. */
export interface BucketVector {
  readonly startMs: number;
  readonly vector: readonly number[];
}

export interface ServiceGroupRow extends ServiceGroupInterval {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Sums storage buckets into the request's intervals and computes each interval's
 * fields (docs/api.md, "GET /historic/serviceGroupData"). Buckets must be aligned with
 * the grid (see bucketMinutesFor), so each lies wholly inside one interval. Intervals
 * with no contact offered are left out.
 */
export function serviceGroupRows(
  buckets: readonly BucketVector[],
  grid: IntervalGrid,
): ServiceGroupRow[] {
  const sums = new Map<number, number[]>();
  for (const bucket of buckets) {
    const start = intervalStart(grid, bucket.startMs);
    let sum = sums.get(start);
    if (sum === undefined) {
      sum = new Array<number>(HIST_LENGTH).fill(0);
      sums.set(start, sum);
    }
    addInto(sum, bucket.vector);
  }
  const starts: number[] = [];
  for (const [start, v] of sums) if ((v[HIST.received] ?? 0) > 0) starts.push(start);
  starts.sort((a, b) => a - b);
  const rows: ServiceGroupRow[] = [];
  for (const start of starts) {
    const f = serviceGroupInterval(sums.get(start) ?? []);
    // the fields written out rather than spread: this runs for every interval answered
    rows.push({
      startMs: start,
      endMs: start + grid.stepMs,
      notUniqueReceived: f.notUniqueReceived,
      notUniqueTreated: f.notUniqueTreated,
      notUniqueMissed: f.notUniqueMissed,
      receivedCalls: f.receivedCalls,
      treatedCalls: f.treatedCalls,
      missCalls: f.missCalls,
      aht: f.aht,
      postProcessing: f.postProcessing,
    });
  }
  return rows;
}
