import { type IntervalRecords, type RecordSet } from '@wfm-stream/export';

import { writeFileAtomic } from './atomic-file.js';
import type { FileDropConfig } from './config.js';
import type { Target } from './types.js';

const FILE_PART: Readonly<Record<RecordSet, string>> = {
  queueStatistics: 'queue-statistics',
  agentActivity: 'agent-activity',
  agentLogin: 'agent-login',
};

/** `20260329T0015Z`: an interval start in a file name (UTC, no colons). */
export function compactUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 13).concat('Z');
}

export interface DropFile {
  readonly name: string;
  readonly content: string;
}

/**
 * One file per interval and record set, `<interval start>-<set>.json` (e.g.
 * `20260329T0015Z-queue-statistics.json`), holding the set's records as a JSON array. A
 * restated interval replaces its files, so the directory always holds the latest
 * version of every interval.
 */
export function dropFiles(records: IntervalRecords): DropFile[] {
  const start = compactUtc(records.interval.startMs);
  return (['queueStatistics', 'agentActivity', 'agentLogin'] as const).map((set) => ({
    name: `${start}-${FILE_PART[set]}.json`,
    content: `${JSON.stringify(records[set], null, 2)}\n`,
  }));
}

export function fileDropTarget(config: FileDropConfig): Target {
  return {
    name: config.name,
    kind: config.kind,
    async deliver(records: IntervalRecords): Promise<void> {
      for (const file of dropFiles(records))
        await writeFileAtomic(config.directory, file.name, file.content);
    },
  };
}
