import type { StatusOp } from '@wfm-stream/observability';

import type { RedisClient } from '../connection.js';
import type { StatusKeys } from '../keys.js';
import { defineScript, KeyList, type ScriptArg } from '../scripts.js';

export interface StatusReportArgs {
  readonly keys: StatusKeys;
  /** The instance, `<service>/<host>-<pid>-<random>`. */
  readonly member: string;
  /** Its snapshot, JSON. */
  readonly snapshot: string;
  readonly ttlMs: number;
  readonly nowMs: number;
  /** How long the lasting records live after their last change, seconds. */
  readonly recordTtlSeconds: number;
  /** Lasting changes, their record names already checked (RECORD_NAME). */
  readonly ops: readonly StatusOp[];
}

const statusReport = defineScript<StatusReportArgs, number>({
  file: 'status-report-n.lua',
  encode({ keys, member, snapshot, ttlMs, nowMs, recordTtlSeconds, ops }) {
    const list = new KeyList();
    list.add(keys.index());
    list.add(keys.instance(member));
    const argv: ScriptArg[] = [member, snapshot, ttlMs, nowMs, recordTtlSeconds];
    for (const op of ops) {
      const record = list.add(keys.record(op.name));
      if (op.op === 'push') argv.push('push', record, '', op.value);
      else argv.push(op.op, record, op.field, String(op.value));
    }
    return { keys: list.keys, argv };
  },
  decode: Number,
});

/** Writes a snapshot and its lasting changes in one script call; returns the instances indexed. */
export function reportStatus(redis: RedisClient, args: StatusReportArgs): Promise<number> {
  return statusReport.run(redis, args);
}
