/**
 * Keyed collections and their deltas, as the live stream sends them (docs/api.md,
 * "GET /online/stream"): a snapshot lists every row; a delta lists the rows that are new
 * or changed (`upsert`) and the keys of the rows that are gone (`remove`). A client keeps
 * a map by key and applies each delta in order (`applyDelta`).
 */
export interface Delta<R> {
  readonly upsert: readonly R[];
  readonly remove: readonly string[];
}

/** The rows of a collection as last sent: key → the row's JSON, to tell changes cheaply. */
export type SentRows = ReadonlyMap<string, string>;

/** What changed from `before` to `rows`, and the new state to diff against next time. */
export function diffRows<R>(
  before: SentRows,
  rows: readonly R[],
  keyOf: (row: R) => string,
): { readonly delta: Delta<R>; readonly state: Map<string, string> } {
  const state = new Map<string, string>();
  const upsert: R[] = [];
  for (const row of rows) {
    const key = keyOf(row);
    const json = JSON.stringify(row);
    state.set(key, json);
    if (before.get(key) !== json) upsert.push(row);
  }
  const remove: string[] = [];
  for (const key of before.keys()) if (!state.has(key)) remove.push(key);
  return { delta: { upsert, remove }, state };
}

export function isEmptyDelta(delta: Delta<unknown>): boolean {
  return delta.upsert.length === 0 && delta.remove.length === 0;
}

/** A client's rule: the collection after a delta. */
export function applyDelta<R>(
  rows: ReadonlyMap<string, R>,
  delta: Delta<R>,
  keyOf: (row: R) => string,
): Map<string, R> {
  const next = new Map(rows);
  for (const key of delta.remove) next.delete(key);
  for (const row of delta.upsert) next.set(keyOf(row), row);
  return next;
}
