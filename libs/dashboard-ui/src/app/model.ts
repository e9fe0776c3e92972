/**
 * The page's data model, pure: collections kept by key and changed by the stream's
 * deltas (protocol.ts), sorting and filtering of rows.
 */

export interface CollectionData<R> {
  readonly snapshot?: boolean;
  readonly upsert: readonly R[];
  readonly remove: readonly string[];
}

/** The collection after an event: a snapshot replaces it, a delta changes it. */
export function applyEvent<R>(
  rows: ReadonlyMap<string, R>,
  event: CollectionData<R>,
  keyOf: (row: R) => string,
): Map<string, R> {
  const next = event.snapshot === true ? new Map<string, R>() : new Map(rows);
  for (const key of event.remove) next.delete(key);
  for (const row of event.upsert) next.set(keyOf(row), row);
  return next;
}

export type SortDirection = 'ascending' | 'descending';

export interface SortState<K extends string> {
  readonly key: K;
  readonly direction: SortDirection;
}

/** Sorts by a value; undefined sorts last either way; ties keep the tiebreak's order. */
export function sortRows<R>(
  rows: readonly R[],
  value: (row: R) => number | string | undefined,
  direction: SortDirection,
  tiebreak: (row: R) => string,
): R[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === undefined || vb === undefined) {
      if (va !== vb) return va === undefined ? 1 : -1;
    } else if (va !== vb) {
      if (typeof va === 'number' && typeof vb === 'number') return sign * (va - vb);
      return sign * String(va).localeCompare(String(vb));
    }
    const ta = tiebreak(a);
    const tb = tiebreak(b);
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  });
}

/** Clicking a column: the same one flips, another one starts with its natural direction. */
export function nextSort<K extends string>(
  current: SortState<K>,
  key: K,
  natural: SortDirection,
): SortState<K> {
  if (current.key === key)
    return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  return { key, direction: natural };
}

/** Whether every word of the query is in one of the texts (case- and accent-insensitive). */
export function matchesSearch(query: string, texts: readonly string[]): boolean {
  const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const haystack = fold(texts.join(' '));
  return fold(query)
    .split(/\s+/)
    .filter((w) => w !== '')
    .every((word) => haystack.includes(word));
}

/** The per-interval series of one group for the chart, in time order. */
export interface Series {
  readonly starts: number[];
  readonly received: number[];
  readonly treated: number[];
  readonly missed: number[];
  /** Average handling time, seconds (null where nothing was treated). */
  readonly ahtSeconds: (number | null)[];
}

/**
 * Every interval of the grid from `startMs` (the local midnight) to the one holding
 * `nowMs`, in steps of `stepMs`: the API leaves out intervals without contacts, the
 * chart shows them as zeros.
 */
export function seriesOf(
  rows: readonly {
    readonly startInterval: string;
    readonly notUniqueReceived: number;
    readonly notUniqueTreated: number;
    readonly notUniqueMissed: number;
    readonly aht: number;
  }[],
  startMs: number,
  stepMs: number,
  nowMs: number,
): Series {
  const byStart = new Map(rows.map((r) => [Date.parse(r.startInterval), r]));
  const last = Math.max(nowMs, ...byStart.keys());
  const series = {
    starts: [] as number[],
    received: [] as number[],
    treated: [] as number[],
    missed: [] as number[],
    ahtSeconds: [] as (number | null)[],
  };
  for (let at = startMs; at <= last && series.starts.length < 1500; at += stepMs) {
    const r = byStart.get(at);
    series.starts.push(at / 1000);
    series.received.push(r?.notUniqueReceived ?? 0);
    series.treated.push(r?.notUniqueTreated ?? 0);
    series.missed.push(r?.notUniqueMissed ?? 0);
    series.ahtSeconds.push(r !== undefined && r.notUniqueTreated > 0 ? r.aht / 1000 : null);
  }
  return series;
}
