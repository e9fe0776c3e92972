import {
  ALONGSIDE_OTHER_PROBLEMS,
  checkKafkaSettings,
  checkRedisSettings,
  eventConsumerServiceSettings,
  setting,
} from '@wfm-stream/config';
import { GENERATION_PATTERN } from '@wfm-stream/store';
import { z } from 'zod';

function parseServiceLevels(text: string, ctx: z.RefinementCtx): Map<string, number> {
  const map = new Map<string, number>();
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(.+)=(\d+)$/.exec(item);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not groupId=seconds` });
      continue;
    }
    map.set((m[1] ?? '').trim(), Number(m[2]));
  }
  return map;
}

export const aggregatorConfigSchema = z
  .object({
    ...eventConsumerServiceSettings,
    HTTP_PORT: setting.port(9464),
    CONSUMER_GROUP: setting.string('wfm-aggregator'),
    /** Most distinct events one contact may have; more are dead-lettered (kind `limit`). */
    CONTACT_MAX_EVENTS: setting.int(64, 4, 10_000),
    /** Longest answer-to-end span a chat counts as chat work time over; beyond, its first days only. */
    CONTACT_MAX_SPAN: setting.duration('7d'),
    /** A duplicate eventId arriving within this window (arrival time) changes nothing. */
    DEDUPE_WINDOW: setting.duration('7d'),
    /** Figures expire this many days after they were last written. */
    RETENTION_DAYS: setting.int(400, 1, 3650),
    /** Default answer-time target for callAnsweredTst, seconds. */
    SERVICE_LEVEL_SECONDS: setting.int(20, 0, 86_400),
    /** Per-group targets: `groupId=seconds,…`. */
    SERVICE_LEVEL_SECONDS_BY_GROUP: z
      .string()
      .default('')
      .transform((text, ctx) => parseServiceLevels(text, ctx)),
    PARTITIONS_CONSUMED_CONCURRENTLY: setting.int(4, 1, 64),
    /** Longest a fetch waits on a quiet topic; bounds end-to-end latency. */
    FETCH_MAX_WAIT: setting.duration('20ms'),
    /**
     * How long the group waits for a silent member before giving its partitions to
     * others: after a crash, its partitions resume after at most this long.
     */
    CONSUMER_SESSION_TIMEOUT: setting.duration('30s'),
    /**
     * Write this state generation instead of following the generation pointer: set by
     * `wfm-stream rebuild` for the aggregator that fills a new generation.
     */
    STATE_GENERATION: z.string().regex(GENERATION_PATTERN, 'must look like g1').optional(),
  })
  .superRefine(checkKafkaSettings)
  .superRefine(checkRedisSettings, ALONGSIDE_OTHER_PROBLEMS);

export type AggregatorConfig = z.output<typeof aggregatorConfigSchema>;
