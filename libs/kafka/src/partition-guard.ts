import type { Logger } from '@wfm-stream/observability';
import type { Admin } from 'kafkajs';

/**
 * What the state store knows of a consumer group's progress: the last offset whose
 * effects it holds, per partition (docs/architecture.md, "When Redis loses data").
 */
export interface ProgressSnapshot {
  /** Last applied offset per partition of this group; absent where the store holds none. */
  readonly applied: ReadonlyMap<number, number>;
  /** False when the store has no progress record at all (a new, emptied or upgraded state). */
  readonly exists: boolean;
  /** True when the record was begun after a loss: this group's partitions without progress start over. */
  readonly lost: boolean;
  /** False when the store holds no state at all (an emptied Redis, or a deployment that never wrote). */
  readonly anyState: boolean;
  /** Which state this is (the generation): progress is compared within one state only. */
  readonly scope: string;
}

export interface ProgressStore {
  read(topic: string, partitions: readonly number[]): Promise<ProgressSnapshot>;
  /**
   * Records last applied offsets; an offset lower than the stored one changes nothing.
   * Resolves with the scope (generation) written, or undefined when the record was never
   * begun there (or was lost): nothing is written then.
   */
  record(
    entries: readonly { topic: string; partition: number; offset: number }[],
  ): Promise<string | undefined>;
  /** Begins the progress record of this state, marking it lost for this group or not. */
  begin(lost: boolean): Promise<void>;
}

/** Records that Kafka no longer had (retention passed, records deleted) before they were read. */
export interface DataGap {
  readonly topic: string;
  readonly partition: number;
  readonly group: string;
  /** The first offset that was lost. */
  readonly fromOffset: number;
  /** The first offset that was read after the loss. */
  readonly toOffset: number;
  /** Timestamp of the last record read before the loss, when known. */
  readonly beforeMs?: number | undefined;
  /** Timestamp of the first record read after it, when known. */
  readonly afterMs?: number | undefined;
  readonly detectedAtMs: number;
}

export interface GapLog {
  record(gap: DataGap): Promise<void>;
}

export interface PartitionGuardOptions {
  readonly group: string;
  readonly admin: () => Promise<Admin>;
  readonly progress?: ProgressStore | undefined;
  readonly gaps?: GapLog | undefined;
  /** Topics whose offsets have holes by design (compacted): no gap is looked for there. */
  readonly compacted: ReadonlySet<string>;
  readonly seek: (topic: string, partition: number, offset: string) => void;
  readonly onGap?: (gap: DataGap) => void;
  readonly onStateLoss?: (topic: string, partition: number, fromOffset: string) => void;
  readonly logger: Logger;
  /** How often the partitions held are checked against the store (default 5 s). */
  readonly verifyEveryMs?: number;
  /** How often the applied offsets are written to the store (default 250 ms). */
  readonly flushEveryMs?: number;
}

interface PartitionState {
  /** Last offset applied by this process. */
  applied?: number;
  appliedTimestampMs?: number;
  /** Last offset the store acknowledged holding, and in which scope. */
  flushed?: number;
  flushedScope?: string;
  /** When the log start was last looked up for a hole (rate limit). */
  lastHoleCheckMs?: number;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Keeps a consumer's partitions honest about the state they feed:
 *
 * - **Gaps.** When the broker no longer has offsets the group needs (retention passed
 *   while it lagged, or records were deleted), kafkajs silently moves to the log start.
 *   The guard notices, at assignment (committed offset below the log start) and while
 *   consuming (a batch that starts past the next offset, with the log start past it too),
 *   and reports the gap: a counter, a log line, and a record in the store that the reader
 *   turns into a mark on the affected intervals.
 * - **State loss.** The consumer records, after the state store acknowledged a batch's
 *   writes, the last offset applied. When the store comes back without them (a restart
 *   without persistence, a failover to a lagging replica, a flush), the guard seeks back
 *   to what it still holds, or to the log start when it holds nothing, and the events are
 *   applied again; duplicates change nothing.
 */
export class PartitionGuard {
  private readonly partitions = new Map<string, PartitionState>();
  private assignment: Record<string, number[]> = {};
  private readonly timers: NodeJS.Timeout[] = [];
  private verifying = false;

  constructor(private readonly options: PartitionGuardOptions) {
    if (options.progress !== undefined) {
      this.timers.push(
        setInterval(() => void this.flush(), options.flushEveryMs ?? 250),
        setInterval(() => void this.verify(false), options.verifyEveryMs ?? 5_000),
      );
      for (const t of this.timers) t.unref();
    }
  }

  private state(topic: string, partition: number): PartitionState {
    let found = this.partitions.get(key(topic, partition));
    if (found === undefined) {
      found = {};
      this.partitions.set(key(topic, partition), found);
    }
    return found;
  }

  /** After a rebalance: what this member holds now. Checks it for gaps and lost state. */
  async assigned(assignment: Record<string, number[]>): Promise<void> {
    this.assignment = assignment;
    const held = new Set(Object.entries(assignment).flatMap(([t, ps]) => ps.map((p) => key(t, p))));
    for (const k of [...this.partitions.keys()]) if (!held.has(k)) this.partitions.delete(k);
    await this.verify(true).catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'could not check the partitions just assigned');
    });
  }

  /** After a batch's effects are durable. */
  async applied(
    topic: string,
    partition: number,
    firstOffset: number,
    lastOffset: number,
    firstTimestampMs: number,
    lastTimestampMs: number,
  ): Promise<void> {
    const s = this.state(topic, partition);
    const expected = s.applied === undefined ? undefined : s.applied + 1;
    if (expected !== undefined && firstOffset > expected && !this.options.compacted.has(topic)) {
      const now = Date.now();
      // holes of transaction markers are normal: only the log start proves a loss
      if (s.lastHoleCheckMs === undefined || now - s.lastHoleCheckMs > 5_000) {
        s.lastHoleCheckMs = now;
        const start = await this.logStart(topic, partition).catch(() => undefined);
        if (start !== undefined && start > expected)
          this.report({
            topic,
            partition,
            group: this.options.group,
            fromOffset: expected,
            toOffset: Math.min(start, firstOffset),
            beforeMs: s.appliedTimestampMs,
            afterMs: firstTimestampMs,
            detectedAtMs: now,
          });
      }
    }
    if (s.applied === undefined || lastOffset > s.applied) {
      s.applied = lastOffset;
      s.appliedTimestampMs = lastTimestampMs;
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.flush();
  }

  /**
   * Writes the applied offsets the store does not have yet. Resolves true once the store
   * holds every offset applied so far (false when it could not be written).
   */
  async flush(): Promise<boolean> {
    const store = this.options.progress;
    if (store === undefined) return true;
    const entries: { topic: string; partition: number; offset: number }[] = [];
    const states: [PartitionState, number][] = [];
    for (const [k, s] of this.partitions) {
      if (s.applied === undefined || s.applied === s.flushed) continue;
      const [topic = '', partition = '0'] = k.split('\u0000');
      entries.push({ topic, partition: Number(partition), offset: s.applied });
      states.push([s, s.applied]);
    }
    if (entries.length === 0) return true;
    try {
      const scope = await store.record(entries);
      if (scope === undefined) {
        // no record to write to: begin it, or find out what the store lost, first
        await this.verify(false);
        return false;
      }
      for (const [s, offset] of states) {
        // flushes overlap (each batch's, the timer's): the later offset stands
        if (s.flushedScope === scope && s.flushed !== undefined && s.flushed > offset) continue;
        s.flushed = offset;
        s.flushedScope = scope;
      }
      return true;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not record the applied offsets');
      return false;
    }
  }

  /**
   * Compares what the store holds with what this process applied (and, at assignment,
   * with the group's committed offsets and the log start), and seeks back where the
   * store lost effects.
   */
  async verify(atAssignment: boolean): Promise<void> {
    if (this.verifying) return;
    this.verifying = true;
    try {
      const admin = atAssignment ? await this.options.admin() : undefined;
      for (const [topic, partitions] of Object.entries(this.assignment)) {
        if (partitions.length === 0) continue;
        const committed = admin === undefined ? undefined : await this.committed(admin, topic);
        const starts = admin === undefined ? undefined : await this.logStarts(admin, topic);
        const store = this.options.progress;
        let snapshot = await store?.read(topic, partitions);
        if (store !== undefined && snapshot !== undefined && !snapshot.exists) {
          // no record of progress at all: a state this group wrote before progress was
          // recorded (an upgrade) when there is state, or one that lost everything
          const scope = snapshot.scope;
          const wroteHere = heldStates(this.partitions, topic, partitions).some(
            (st) => st.flushed !== undefined && st.flushedScope === scope,
          );
          if (wroteHere)
            this.options.logger.error({ topic }, 'the state store lost its whole progress record');
          await store.begin(wroteHere || (!snapshot.anyState && (committed?.size ?? 0) > 0));
          snapshot = await store.read(topic, partitions);
        }
        for (const partition of partitions) {
          const s = this.state(topic, partition);
          const next = committed?.get(partition);
          const start = starts?.get(partition);
          // 1. offsets the group needs that the broker no longer has
          if (
            atAssignment &&
            next !== undefined &&
            start !== undefined &&
            next < start &&
            !this.options.compacted.has(topic)
          ) {
            this.report({
              topic,
              partition,
              group: this.options.group,
              fromOffset: next,
              toOffset: start,
              detectedAtMs: Date.now(),
            });
          }
          if (store === undefined || snapshot === undefined) continue;
          // 2. effects the store lost (within one state: a rebuild's switch is a new one)
          if (!atAssignment && s.flushedScope !== snapshot.scope) continue;
          const held = snapshot.applied.get(partition);
          const known = s.flushedScope === snapshot.scope ? s.flushed : undefined;
          const applied = known ?? (next === undefined ? undefined : next - 1);
          if (held === undefined && !snapshot.lost) {
            // a partition new to this state's record: it holds what the group committed
            if (applied !== undefined && applied >= 0)
              await store.record([{ topic, partition, offset: applied }]);
            continue;
          }
          if (applied === undefined || applied < 0) continue;
          if (held !== undefined && held >= applied) continue;
          const from = held === undefined ? undefined : held + 1;
          this.options.logger.error(
            {
              topic,
              partition,
              storeHolds: held ?? null,
              applied,
              resumeFrom: from ?? 'the log start',
            },
            'the state store lost effects it had acknowledged; consuming again from what it holds',
          );
          this.options.onStateLoss?.(topic, partition, String(from ?? 'earliest'));
          s.applied = held;
          s.flushed = held;
          s.flushedScope = snapshot.scope;
          const logStart = start ?? (await this.logStart(topic, partition));
          this.options.seek(topic, partition, String(from ?? logStart ?? 0));
        }
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not check the partitions against the store');
    } finally {
      this.verifying = false;
    }
  }

  private report(gap: DataGap): void {
    this.options.logger.error(
      { ...gap, records: gap.toOffset - gap.fromOffset },
      'records were lost before they were read: the figures of their time are incomplete',
    );
    this.options.onGap?.(gap);
    void this.options.gaps?.record(gap).catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'could not record a data gap');
    });
  }

  /** The group's committed offsets, of every partition of the topic (not only those held). */
  private async committed(admin: Admin, topic: string): Promise<Map<number, number>> {
    const [offsets] = await admin.fetchOffsets({ groupId: this.options.group, topics: [topic] });
    const out = new Map<number, number>();
    for (const p of offsets?.partitions ?? [])
      if (Number(p.offset) >= 0) out.set(p.partition, Number(p.offset));
    return out;
  }

  private async logStarts(admin: Admin, topic: string): Promise<Map<number, number>> {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.low)]));
  }

  private async logStart(topic: string, partition: number): Promise<number | undefined> {
    const starts = await this.logStarts(await this.options.admin(), topic);
    return starts.get(partition);
  }
}

/** The states of a topic's partitions this guard holds. */
function heldStates(
  states: ReadonlyMap<string, PartitionState>,
  topic: string,
  partitions: readonly number[],
): PartitionState[] {
  return partitions.flatMap((p) => {
    const st = states.get(key(topic, p));
    return st === undefined ? [] : [st];
  });
}
