import type { RedisClient } from '../connection.js';
import { defineScript } from '../scripts.js';

export interface ProgressRecordArgs {
  /** The generation's progress hash (Keys.progress). */
  readonly key: string;
  readonly ttlSeconds: number;
  /** Field, offset (or latest record time) pairs; see lua/progress-record-1.lua. */
  readonly fields: readonly (readonly [string, string])[];
}

const progressRecord = defineScript<ProgressRecordArgs, number>({
  file: 'progress-record-1.lua',
  encode: ({ key, ttlSeconds, fields }) => ({ keys: [key], argv: [ttlSeconds, ...fields.flat()] }),
  decode: Number,
});

/** Raises the recorded offsets; -1 when the record was never begun or has been lost. */
export function recordProgress(redis: RedisClient, args: ProgressRecordArgs): Promise<number> {
  return progressRecord.run(redis, args);
}
