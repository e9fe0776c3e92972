import type { Admin } from 'kafkajs';

/** Where a consumer group stands on one partition. */
export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  /** The first offset the group was to read (the log start, or a chosen offset). */
  readonly start: number;
  /** The group's committed offset, or undefined before its first commit. */
  readonly committed: number | undefined;
  /** The log end (high watermark). */
  readonly end: number;
}

export interface GroupProgress {
  /** Events from the start offsets to the log end. */
  readonly total: number;
  /** Of those, the events the group has committed. */
  readonly done: number;
  /** Events between the committed offsets (or the start) and the log end. */
  readonly lag: number;
}

/** Sums the positions of a group over its partitions. */
export function summarizeProgress(positions: readonly PartitionPosition[]): GroupProgress {
  let total = 0;
  let done = 0;
  for (const p of positions) {
    const from = Math.min(p.start, p.end);
    const at = Math.min(Math.max(p.committed ?? from, from), p.end);
    total += p.end - from;
    done += at - from;
  }
  return { total, done, lag: total - done };
}

/** True when the group has committed at least `targets` (per topic and partition). */
export function reached(
  positions: readonly PartitionPosition[],
  targets: ReadonlyMap<string, number>,
): boolean {
  for (const p of positions) {
    const target = targets.get(`${p.topic}:${p.partition}`);
    if (target === undefined || target <= p.start) continue;
    if ((p.committed ?? p.start) < target) return false;
  }
  return true;
}

/** The log ends of every partition, keyed `topic:partition`. */
export function endsOf(positions: readonly PartitionPosition[]): Map<string, number> {
  return new Map(positions.map((p) => [`${p.topic}:${p.partition}`, p.end]));
}

/**
 * Reads where `groupId` stands on `topics`. `starts` gives each partition's first offset
 * (`topic:partition` → offset); partitions not in it start at the log start.
 */
export async function readGroupPositions(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  starts: ReadonlyMap<string, number> = new Map(),
): Promise<PartitionPosition[]> {
  const positions: PartitionPosition[] = [];
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const offsets = new Map(
      committed.find((c) => c.topic === topic)?.partitions.map((p) => [p.partition, p.offset]),
    );
    for (const end of ends) {
      const at = Number(offsets.get(end.partition) ?? '-1');
      positions.push({
        topic,
        partition: end.partition,
        start: starts.get(`${topic}:${end.partition}`) ?? Number(end.low),
        committed: at >= 0 ? at : undefined,
        end: Number(end.high),
      });
    }
  }
  return positions;
}

/**
 * Points a consumer group that has no members at the first offsets at or after
 * `timestampMs` on `topics` (ListOffsets by timestamp, then an offset commit), and
 * returns those offsets. Needs a broker that supports both (Kafka does).
 */
export async function startGroupAt(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  timestampMs: number,
): Promise<Map<string, number>> {
  const starts = new Map<string, number>();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs);
    await admin.setOffsets({ groupId, topic, partitions: offsets });
    for (const o of offsets) starts.set(`${topic}:${o.partition}`, Number(o.offset));
  }
  return starts;
}
