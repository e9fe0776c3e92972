import { parseOffsetInstant } from '@wfm-stream/schemas';

/** A stretch of time whose records the topics lost before they were read (libs/kafka partition-guard). */
export interface LostSpan {
  /** The last record read before the loss, epoch ms; unknown: anything before `toMs`. */
  readonly fromMs?: number | undefined;
  readonly toMs: number;
}

/** The gaps a consumer recorded, as spans of time (record timestamps, see docs/api.md). */
export function lostSpans(
  gaps: readonly {
    beforeMs?: number | undefined;
    afterMs?: number | undefined;
    detectedAtMs: number;
  }[],
): LostSpan[] {
  return gaps.map((g) => ({ fromMs: g.beforeMs, toMs: g.afterMs ?? g.detectedAtMs }));
}

/**
 * The `X-WFM-Incomplete` header of a historic answer: the lost spans that overlap the
 * requested period, as ISO intervals (`from/to`, `../to` when the start is unknown),
 * or undefined when none does (docs/api.md, "Incomplete data").
 */
export function incompleteHeader(
  query: Record<string, unknown>,
  spans: readonly LostSpan[],
): string | undefined {
  if (spans.length === 0) return undefined;
  const start =
    typeof query.startDate === 'string'
      ? parseOffsetInstant(query.startDate.replace(' ', '+'))
      : undefined;
  const end =
    typeof query.endDate === 'string'
      ? parseOffsetInstant(query.endDate.replace(' ', '+'))
      : undefined;
  if (start === undefined || end === undefined) return undefined;
  const overlapping = spans.filter(
    (s) => (s.fromMs === undefined || s.fromMs < end.ms) && s.toMs > start.ms,
  );
  if (overlapping.length === 0) return undefined;
  const iso = (ms: number): string => new Date(ms).toISOString();
  return overlapping
    .slice(0, 10)
    .map((s) => `${s.fromMs === undefined ? '..' : iso(s.fromMs)}/${iso(s.toMs)}`)
    .join(', ');
}
