import { createHash } from 'node:crypto';

import type { IntervalRecords } from './records.js';

/** 16 hex characters of SHA-256: names a content version in keys and file names. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * The content hash of an interval's records: equal records give equal hashes, so it
 * tells a restated interval from an unchanged one and names what was delivered. The
 * records are built with a fixed key order and sorted, so their JSON is canonical.
 */
export function recordsHash(records: IntervalRecords): string {
  return shortHash(
    JSON.stringify([
      records.interval.startMs,
      records.interval.endMs,
      records.queueStatistics,
      records.agentActivity,
      records.agentLogin,
    ]),
  );
}
