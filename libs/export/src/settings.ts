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
 * EXPORT_TARGETS read as JSON, or undefined once `ctx` has been told that it is not JSON
 * (docs/configuration.md, EXPORT_TARGETS).
 */
export function targetsJson(text: string, ctx: z.RefinementCtx): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of targets' });
    return undefined;
  }
}

/**
 * Only the target names of EXPORT_TARGETS, for tools that address targets but never
 * deliver to them (so they need none of the credentials to be valid).
 */
export function targetNamesSetting() {
  return z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      const json = targetsJson(text, ctx);
      if (json === undefined) return z.NEVER;
      const parsed = json.value;
      const names = z.array(z.object({ name: z.string() })).safeParse(parsed);
      if (!names.success) {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of targets with names' });
        return z.NEVER;
      }
      return names.data.map((t) => t.name);
    });
}
