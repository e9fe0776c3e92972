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

export function seriesOf(
  rows: readonly {
    readonly startInterval: string;
    readonly notUniqueReceived: number;
    readonly notUniqueTreated: number;
    readonly notUniqueMissed: number;
    readonly aht: number;
  }[],
): Series {
  const sorted = [...rows].sort(
    (a, b) => Date.parse(a.startInterval) - Date.parse(b.startInterval),
  );
  return {
    starts: sorted.map((r) => Date.parse(r.startInterval) / 1000),
    received: sorted.map((r) => r.notUniqueReceived),
    treated: sorted.map((r) => r.notUniqueTreated),
    missed: sorted.map((r) => r.notUniqueMissed),
    ahtSeconds: sorted.map((r) => (r.notUniqueTreated > 0 ? r.aht / 1000 : null)),
  };
}
