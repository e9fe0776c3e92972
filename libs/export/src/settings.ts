import { setting } from '@wfm-stream/config';
import { z } from 'zod';

import { isValidExportStep } from './intervals.js';

/**
 * Settings shared by the exporter and `wfm-stream exports`: where the queue is and the
 * interval grid. TIMEZONE (libs/config contactCenterSettings) completes the grid.
 */
export const exportQueueSettings = {
  TOPIC_EXPORT_JOBS: setting.string('cc.export-jobs'),
  TOPIC_EXPORT_DEAD_LETTER: setting.string('cc.export-dead-letter'),
  /** Length of an export interval; a whole number of minutes that divides a day. */
  EXPORT_STEP: setting
    .duration('15m')
    .refine(isValidExportStep, 'must be a whole number of minutes that divides a day, e.g. 15m'),
};

/**
 * Only the target names of EXPORT_TARGETS, for tools that address targets but never
 * deliver to them (so they need none of the credentials to be valid).
 */
export function targetNamesSetting() {
  return z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of targets' });
        return z.NEVER;
      }
      const names = z.array(z.object({ name: z.string() })).safeParse(parsed);
      if (!names.success) {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of targets with names' });
        return z.NEVER;
      }
      return names.data.map((t) => t.name);
    });
}
