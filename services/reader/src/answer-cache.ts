import type { PreparedBody } from './prepared-body.js';

/**
 * Answers kept by request and data version, least recently used first out, within a
 * byte budget. An entry is used only when the versions of the data it was computed from
 * are still the current ones, so the cache never serves a stale answer; it saves the
 * work of answering the same question about unchanged data again (a WFM polls the same
 * windows all day, and closed days rarely change).
 */
export class AnswerCache {
  private readonly entries = new Map<string, { versions: string; body: PreparedBody }>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  get(request: string, versions: string): PreparedBody | undefined {
    const entry = this.entries.get(request);
    if (entry?.versions !== versions) return undefined;
    this.entries.delete(request);
    this.entries.set(request, entry);
    return entry.body;
  }

  set(request: string, versions: string, body: PreparedBody): void {
    if (this.budgetBytes <= 0 || body.json.length * 2 > this.budgetBytes) return;
    const previous = this.entries.get(request);
    if (previous !== undefined) {
      this.bytes -= previous.body.size;
      this.entries.delete(request);
    }
    this.entries.set(request, { versions, body });
    this.bytes += body.size;
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.budgetBytes) break;
      this.entries.delete(key);
      this.bytes -= entry.body.size;
    }
  }
}
