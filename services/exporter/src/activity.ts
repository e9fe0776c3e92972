import {
  type ExportTargetStatus,
  STATUS_RECORDS,
  type StatusCollector,
  type StatusOp,
} from '@wfm-stream/observability';

interface TargetActivity {
  delivered: number;
  unchanged: number;
  parked: number;
  retrying?: { attempt: number; reason: string; sinceMs: number } | undefined;
}

/** Longest failure reason kept; reasons quote what a target answered. */
const MAX_REASON_LENGTH = 300;

/**
 * What this exporter's worker is doing, per target, for the dashboard's Exports view
 * (docs/dashboard.md): the jobs fetched and not yet finished, the job waiting for a
 * retry and why, and the jobs finished. A job's message key is its target
 * (libs/export job.ts), so the queue is counted from the fetched batches without decoding.
 */
export class ExportActivity {
  private readonly queues = new Map<number, string[]>();
  private readonly targets = new Map<string, TargetActivity>();
  private readonly lasting: StatusOp[] = [];

  constructor(private readonly clock: () => number = Date.now) {}

  /** A fetched batch of a partition: its targets, in order (replaces what was left of the last). */
  fetched(partition: number, targets: readonly string[]): void {
    this.queues.set(partition, [...targets]);
  }

  /** The partition's next job is finished (or skipped). */
  advanced(partition: number): void {
    this.queues.get(partition)?.shift();
  }

  /** The partition's batch was left (finished, or abandoned to be redelivered). */
  left(partition: number): void {
    this.queues.delete(partition);
  }

  retrying(target: string, attempt: number, reason: string): void {
    const activity = this.of(target);
    activity.retrying = {
      attempt,
      reason: reason.slice(0, MAX_REASON_LENGTH),
      sinceMs: activity.retrying?.sinceMs ?? this.clock(),
    };
    this.lasting.push(this.failure(target, activity.retrying.reason, false));
  }

  delivered(target: string, intervalEndMs: number): void {
    const activity = this.of(target);
    activity.delivered++;
    activity.retrying = undefined;
    this.lasting.push({
      op: 'max',
      name: STATUS_RECORDS.exportDelivered,
      field: target,
      value: intervalEndMs,
    });
  }

  unchanged(target: string): void {
    const activity = this.of(target);
    activity.unchanged++;
    activity.retrying = undefined;
  }

  parked(target: string, reason: string): void {
    const activity = this.of(target);
    activity.parked++;
    activity.retrying = undefined;
    this.lasting.push(
      { op: 'inc', name: STATUS_RECORDS.exportParked, field: target, value: 1 },
      this.failure(target, reason.slice(0, MAX_REASON_LENGTH), true),
    );
  }

  /** Per target: queued, retrying and finished jobs. */
  snapshot(): Record<string, ExportTargetStatus> {
    const queued = new Map<string, number>();
    for (const queue of this.queues.values())
      for (const target of queue) queued.set(target, (queued.get(target) ?? 0) + 1);
    const names = new Set([...queued.keys(), ...this.targets.keys()]);
    const result: Record<string, ExportTargetStatus> = {};
    for (const name of [...names].sort()) {
      const activity = this.targets.get(name);
      result[name] = {
        queued: queued.get(name) ?? 0,
        retrying: activity?.retrying,
        delivered: activity?.delivered ?? 0,
        unchanged: activity?.unchanged ?? 0,
        parked: activity?.parked ?? 0,
      };
    }
    return result;
  }

  /** The status collector: the snapshot, and the lasting changes since the last report. */
  collector(): StatusCollector {
    return () =>
      Promise.resolve({ status: { exports: this.snapshot() }, ops: this.lasting.splice(0) });
  }

  private of(target: string): TargetActivity {
    let activity = this.targets.get(target);
    if (activity === undefined) {
      activity = { delivered: 0, unchanged: 0, parked: 0 };
      this.targets.set(target, activity);
    }
    return activity;
  }

  private failure(target: string, reason: string, parked: boolean): StatusOp {
    return {
      op: 'set',
      name: STATUS_RECORDS.exportFailure,
      field: target,
      value: JSON.stringify({ atMs: this.clock(), reason, parked }),
    };
  }
}
