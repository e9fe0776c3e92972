import type { PreparedBody } from './prepared-body.js';

/** Bytes a string holds: V8 keeps one byte per character for Latin-1 text, two otherwise. */
export function stringBytes(text: string): number {
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u00ff]/.test(text) ? text.length * 2 : text.length;
}

interface Entry {
  readonly versions: string;
  readonly body: PreparedBody;
  /** What the entry holds: its key, its versions, the body's JSON and gzip copies. */
  bytes: number;
}

/**
 * Answers kept by request and data version, least recently used first out, within a
 * byte budget (READER_CACHE_MB; docs/api.md, "Response encoding and the answer cache").
 * The budget counts everything an entry holds: the request key, the versions, the JSON
 * body and its gzip copy, which is counted when it is made, after the entry went in. An
 * entry is used only when the versions of the data it was computed from are still the
 * current ones, so the cache never serves a stale answer; it saves the work of answering
 * the same question about unchanged data again (a WFM polls the same windows all day,
 * and closed days rarely change).
 */
export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  /** The bytes the entries hold now (never more than the budget). */
  get heldBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether `request` is held with these versions, without making it recently used. */
  holds(request: string, versions: string, body: PreparedBody): boolean {
    const entry = this.entries.get(request);
    return entry?.versions === versions && entry.body === body;
  }

  get(request: string, versions: string): PreparedBody | undefined {
    const entry = this.entries.get(request);
    if (entry?.versions !== versions) return undefined;
    this.entries.delete(request);
    this.entries.set(request, entry);
    return entry.body;
  }

  /**
   * Keeps `body` for `request` (a body is kept under one request only). A body whose
   * JSON is more than half the budget is not kept.
   */
  set(request: string, versions: string, body: PreparedBody): void {
    this.remove(request);
    // held under another request already: its gzip copy is counted there, once
    if (body.onGzip !== undefined) return;
    const bytes = stringBytes(request) + stringBytes(versions) + body.size;
    if (this.budgetBytes <= 0 || bytes * 2 > this.budgetBytes) return;
    const entry: Entry = { versions, body, bytes };
    this.entries.set(request, entry);
    this.bytes += bytes;
    body.onGzip = (added) => {
      // counted only while this entry is still the one held
      if (this.entries.get(request) !== entry) return;
      entry.bytes += added;
      this.bytes += added;
      this.evict();
    };
    this.evict();
  }

  private remove(request: string): void {
    const entry = this.entries.get(request);
    if (entry === undefined) return;
    this.entries.delete(request);
    this.bytes -= entry.bytes;
    entry.body.onGzip = undefined;
  }

  /** Drops least recently used entries until the held bytes are within the budget. */
  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.budgetBytes) return;
      this.remove(key);
    }
  }
}
