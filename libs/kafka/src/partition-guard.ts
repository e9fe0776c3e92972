import type { Logger } from '@wfm-stream/observability';
import type { Admin } from 'kafkajs';

/**
 * What the state store knows of a consumer group's progress: the last offset whose
 * effects it holds, per partition (docs/architecture.md, "When Redis loses data").
 */
export interface ProgressSnapshot {
  /** Last applied offset per partition of this group; absent where the store holds none. */
  readonly applied: ReadonlyMap<number, number>;
  /** Latest record time (epoch ms) applied per partition, where the store knows it. */
  readonly appliedTimestampMs?: ReadonlyMap<number, number> | undefined;
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
  record(entries: readonly ProgressEntry[]): Promise<string | undefined>;
  /** Begins the progress record of this state, marking it lost for this group or not. */
  begin(lost: boolean): Promise<void>;
  /** The state (generation) the handler's writes go to now: what a batch applied is part of. */
  scope(): string;
}

/** A partition's progress: its last applied offset and, when known, the latest record time applied. */
export interface ProgressEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestampMs?: number | undefined;
}

/** What `PartitionGuard.begin` hands a batch: `applied` counts it only if no seek came between. */
export interface BatchTicket {
  readonly topic: string;
  readonly partition: number;
  readonly state: object;
  readonly epoch: number;
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
  /** Last offset applied by this process, and in which state (generation). */
  applied?: number;
  appliedScope?: string;
  appliedTimestampMs?: number;
  /** Last offset the store acknowledged holding, and in which scope. */
  flushed?: number;
  flushedScope?: string;
  /** When the log start was last looked up for a hole (rate limit). */
  lastHoleCheckMs?: number;
  /** Counts the seeks back: a batch begun before one is not counted (it is read again). */
  epoch: number;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Keeps a consumer's partitions honest about the state they feed:
 *
 * - **Gaps.** When the broker no longer has offsets the group needs (retention passed
 *   while it lagged, or records were deleted), kafkajs silently moves to the log start.
 *   The guard notices, at assignment (the offset the store or the group says comes next
 *   is below the log start) and while consuming (a batch that starts past the next
 *   offset, with the log start past it too), and reports the gap: a counter, a log line,
 *   and a record in the store that the reader turns into a mark on the affected intervals.
 * - **State loss.** The consumer records, after the state store acknowledged a batch's
 *   writes, the last offset applied. When the store comes back without them (a restart
 *   without persistence, a failover to a lagging replica, a flush), the guard seeks back
 *   to what it still holds, or to the log start when it holds nothing, and the events are
 *   applied again; duplicates change nothing.
 *
 * Writing the progress and checking it run one at a time (a check racing a write would
 * find the record it just began already claiming offsets the store lost), and a batch
 * begun before a seek back is not counted: it is read again from the seek.
 */
export class PartitionGuard {
  private readonly partitions = new Map<string, PartitionState>();
  private assignment: Record<string, number[]> = {};
  private readonly timers: NodeJS.Timeout[] = [];
  /** The flushes and checks, one after the other. */
  private queue: Promise<unknown> = Promise.resolve();
  private queuedFlush: Promise<boolean> | undefined;
  private checkQueued = false;
  /** The check of the partitions just assigned, while it runs. */
  private assignmentCheck: Promise<void> | undefined;

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
      found = { epoch: 0 };
      this.partitions.set(key(topic, partition), found);
    }
    return found;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** After a rebalance: what this member holds now. Checks it for gaps and lost state. */
  async assigned(assignment: Record<string, number[]>): Promise<void> {
    this.assignment = assignment;
    const held = new Set(Object.entries(assignment).flatMap(([t, ps]) => ps.map((p) => key(t, p))));
    for (const k of [...this.partitions.keys()]) if (!held.has(k)) this.partitions.delete(k);
    // batches applied meanwhile wait for it: the check sets where each partition stands
    const check = this.exclusive(() => this.check(true)).catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'could not check the partitions just assigned');
    });
    this.assignmentCheck = check;
    await check;
    if (this.assignmentCheck === check) this.assignmentCheck = undefined;
  }

  /** Before a batch is handled: what `applied` needs to know whether a seek came between. */
  begin(topic: string, partition: number): BatchTicket {
    const state = this.state(topic, partition);
    return { topic, partition, state, epoch: state.epoch };
  }

  /**
   * After a batch's effects are durable. Returns false when the partition was sought back
   * since the batch began (or is no longer held): the batch does not count, and its offsets
   * must not be resolved, since it is read again from the seek.
   */
  async applied(
    ticket: BatchTicket,
    firstOffset: number,
    lastOffset: number,
    firstTimestampMs: number,
    lastTimestampMs: number,
  ): Promise<boolean> {
    const { topic, partition } = ticket;
    if (this.assignmentCheck !== undefined) await this.assignmentCheck;
    const s = this.partitions.get(key(topic, partition));
    if (s === undefined || s !== ticket.state || s.epoch !== ticket.epoch) return false;
    const scope = this.options.progress?.scope();
    const expected =
      s.applied === undefined || (scope !== undefined && s.appliedScope !== scope)
        ? undefined
        : s.applied + 1;
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
      if (s.epoch !== ticket.epoch) return false;
    }
    if (s.applied === undefined || lastOffset > s.applied || s.appliedScope !== scope) {
      s.applied = lastOffset;
      s.appliedTimestampMs = Math.max(lastTimestampMs, s.appliedTimestampMs ?? 0);
    }
    s.appliedScope = scope;
    return true;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.exclusive(() => this.flushNow());
  }

  /**
   * Writes the applied offsets the store does not have yet (after the flushes and checks
   * queued). Resolves true once the store holds every offset applied before the call
   * (false when it could not be written). A call while a flush waits in the queue shares
   * it: that flush collects what is applied when it runs.
   */
  flush(): Promise<boolean> {
    if (this.options.progress === undefined) return Promise.resolve(true);
    if (this.queuedFlush !== undefined) return this.queuedFlush;
    const run = this.exclusive(() => {
      this.queuedFlush = undefined;
      return this.flushNow();
    });
    this.queuedFlush = run;
    return run;
  }

  /**
   * Compares what the store holds with what this process applied (and, at assignment,
   * with the group's committed offsets and the log start), and seeks back where the
   * store lost effects.
   */
  async verify(atAssignment: boolean): Promise<void> {
    if (!atAssignment) {
      if (this.checkQueued) return;
      this.checkQueued = true;
    }
    await this.exclusive(() => {
      if (!atAssignment) this.checkQueued = false;
      return this.check(atAssignment);
    });
  }

  private async flushNow(): Promise<boolean> {
    const store = this.options.progress;
    if (store === undefined) return true;
    const entries: ProgressEntry[] = [];
    const states: [PartitionState, number][] = [];
    for (const [k, s] of this.partitions) {
      if (s.applied === undefined || (s.applied === s.flushed && s.appliedScope === s.flushedScope))
        continue;
      const [topic = '', partition = '0'] = k.split('\u0000');
      entries.push({
        topic,
        partition: Number(partition),
        offset: s.applied,
        timestampMs: s.appliedTimestampMs,
      });
      states.push([s, s.applied]);
    }
    if (entries.length === 0) return true;
    try {
      const scope = await store.record(entries);
      if (scope === undefined) {
        // no record to write to: begin it, or find out what the store lost, first
        await this.check(false);
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

  private async check(atAssignment: boolean): Promise<void> {
    try {
      const admin = atAssignment ? await this.options.admin() : undefined;
      const store = this.options.progress;
      const topics = Object.entries(this.assignment).filter(([, ps]) => ps.length > 0);
      const snapshots = new Map<string, ProgressSnapshot>();
      if (store !== undefined) {
        for (const [topic, partitions] of topics)
          snapshots.set(topic, await store.read(topic, partitions));
        const missing = [...snapshots.values()].find((snap) => !snap.exists);
        if (missing !== undefined) {
          // no record of progress at all: a state this group wrote before progress was
          // recorded (an upgrade) when there is state, or one that lost everything. Whether
          // this process wrote to it is looked for in every partition it holds, applied
          // or recorded, not only in those whose progress was written already.
          const scope = missing.scope;
          const wroteHere = [...this.partitions.values()].some(
            (st) =>
              (st.flushed !== undefined && st.flushedScope === scope) ||
              (st.applied !== undefined && st.appliedScope === scope),
          );
          let committedAny = false;
          if (!wroteHere && !missing.anyState && admin !== undefined)
            for (const [topic] of topics)
              if ((await this.committed(admin, topic)).size > 0) committedAny = true;
          if (wroteHere)
            this.options.logger.error(
              { topics: topics.map(([t]) => t) },
              'the state store lost its whole progress record',
            );
          await store.begin(wroteHere || committedAny);
          for (const [topic, partitions] of topics)
            snapshots.set(topic, await store.read(topic, partitions));
        }
      }
      for (const [topic, partitions] of topics) {
        const committed = admin === undefined ? undefined : await this.committed(admin, topic);
        const bounds = admin === undefined ? undefined : await this.logBounds(admin, topic);
        const snapshot = snapshots.get(topic);
        for (const partition of partitions) {
          const s = this.state(topic, partition);
          const next = committed?.get(partition);
          const start = bounds?.get(partition)?.low;
          const end = bounds?.get(partition)?.high;
          let held = snapshot?.applied.get(partition);
          // 1. effects the store lost (within one state: a rebuild's switch is a new one)
          if (store !== undefined && snapshot !== undefined) {
            const scope = snapshot.scope;
            const known = s.flushedScope === scope ? s.flushed : undefined;
            const appliedHere = s.appliedScope === scope ? s.applied : undefined;
            const claim = known ?? (next === undefined ? undefined : next - 1);
            if (held === undefined && !snapshot.lost && known === undefined) {
              // a partition new to this state's record: it holds what the group committed
              if (claim !== undefined && claim >= 0) {
                await store.record([{ topic, partition, offset: claim }]);
                s.flushed = claim;
                s.flushedScope = scope;
              }
            } else {
              const lost =
                held === undefined
                  ? known !== undefined ||
                    (snapshot.lost && (appliedHere !== undefined || (claim ?? -1) >= 0))
                  : // what the store lacks of what the group consumed, where Kafka still has
                    // it (below the log start there is nothing to consume again: a gap, below;
                    // kafkajs may even have moved the committed offset to the log start)
                    claim !== undefined && held < claim && (start === undefined || claim >= start);
              if (lost) {
                await this.seekBack(topic, partition, s, held, claim ?? appliedHere, scope, start);
              } else if (held !== undefined && known === undefined) {
                // what the store holds, as this process's starting point
                s.flushed = held;
                s.flushedScope = scope;
                if (s.applied === undefined || s.appliedScope !== scope) {
                  s.applied = held;
                  s.appliedScope = scope;
                  s.appliedTimestampMs = snapshot.appliedTimestampMs?.get(partition);
                }
              }
            }
            held = s.flushedScope === scope ? s.flushed : undefined;
          }
          // 2. offsets needed that the broker no longer has: what comes next is what the
          // store holds plus one (kafkajs may already have moved the committed offset to
          // the log start), else what the group committed
          const needed = held !== undefined && held >= 0 ? held + 1 : next;
          if (
            atAssignment &&
            needed !== undefined &&
            start !== undefined &&
            needed < start &&
            !this.options.compacted.has(topic)
          ) {
            if (held !== undefined && held >= 0 && end !== undefined && end > start) {
              // the first batch read tells when the hole ends: `applied` reports it then
              s.lastHoleCheckMs = undefined;
            } else {
              this.report({
                topic,
                partition,
                group: this.options.group,
                fromOffset: needed,
                toOffset: start,
                detectedAtMs: Date.now(),
              });
            }
          }
        }
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not check the partitions against the store');
    }
  }

  /** Consumes a partition again from what the store still holds (`held`), or from the log start. */
  private async seekBack(
    topic: string,
    partition: number,
    s: PartitionState,
    held: number | undefined,
    applied: number | undefined,
    scope: string,
    start: number | undefined,
  ): Promise<void> {
    const store = this.options.progress;
    const from = held === undefined || held < 0 ? undefined : held + 1;
    this.options.logger.error(
      {
        topic,
        partition,
        storeHolds: held ?? null,
        applied: applied ?? null,
        resumeFrom: from ?? 'the log start',
      },
      'the state store lost effects it had acknowledged; consuming again from what it holds',
    );
    this.options.onStateLoss?.(topic, partition, String(from ?? 'earliest'));
    // batches in hand no longer count, and what follows is read again from the seek
    s.epoch += 1;
    const restart = held ?? -1;
    s.applied = restart;
    s.appliedScope = scope;
    s.flushed = restart;
    s.flushedScope = scope;
    s.appliedTimestampMs = undefined;
    s.lastHoleCheckMs = undefined;
    // the store holds nothing of the partition now: a later check must not take that for
    // a partition new to the record (-1, below every offset, is raised by the next writes)
    if (held === undefined) await store?.record([{ topic, partition, offset: -1 }]);
    const logStart = start ?? (await this.logStart(topic, partition));
    this.options.seek(topic, partition, String(from ?? logStart ?? 0));
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

  /** Per partition: the log start (`low`) and the next offset to be written (`high`). */
  private async logBounds(
    admin: Admin,
    topic: string,
  ): Promise<Map<number, { low: number; high: number }>> {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
  }

  private async logStart(topic: string, partition: number): Promise<number | undefined> {
    const bounds = await this.logBounds(await this.options.admin(), topic);
    return bounds.get(partition)?.low;
  }
}
