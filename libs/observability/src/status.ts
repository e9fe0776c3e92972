import type { WindowQuantiles } from './metric-window.js';

/**
 * What a service instance reports about itself every few seconds, for the dashboard's
 * Pipeline and Exports views (docs/dashboard.md). libs/store's StatusReporter writes it
 * to Redis with a time to live; the reader's StatusBoard reads every live one. Each
 * section is optional: a service fills in what it knows.
 */
export interface ServiceStatus {
  readonly service: string;
  readonly instance: string;
  readonly startedAtMs: number;
  readonly atMs: number;
  /** How often the instance reports; a snapshot older than three of these is gone. */
  readonly intervalMs: number;
  readonly health: {
    readonly live: boolean;
    readonly ready: boolean;
    readonly components: Record<string, unknown>;
  };
  readonly consumer?: ConsumerStatus | undefined;
  /** Latencies over the last minute, by name (`statusPush`, `onlineFreshness`). */
  readonly latencies?: Record<string, WindowQuantiles> | undefined;
  readonly exports?: Record<string, ExportTargetStatus> | undefined;
  /** The reader: clients of the live stream. */
  readonly live?: { readonly clients: number } | undefined;
}

export interface ConsumerStatus {
  /** The consumer group. */
  readonly group: string;
  /** Messages behind the partition ends, summed over the partitions this instance holds. */
  readonly lag: number;
  /** Valid events handed to processing per second, over the last 10 s. */
  readonly eventsPerSecond: number;
  /** Messages dead-lettered since the instance started. */
  readonly deadLettered: number;
}

/** What an exporter instance knows of one target's jobs. */
export interface ExportTargetStatus {
  /** Jobs fetched and not yet finished (waiting behind the one in hand, or in hand). */
  readonly queued: number;
  /** The job in hand after a failed attempt, waiting for its next one. */
  readonly retrying?:
    { readonly attempt: number; readonly reason: string; readonly sinceMs: number } | undefined;
  /** Jobs finished since the instance started, by outcome. */
  readonly delivered: number;
  readonly unchanged: number;
  readonly parked: number;
}

/**
 * A lasting change a status report makes besides its snapshot, on small hashes and lists
 * kept under the status prefix (the dead-letter count, an export target's last failure):
 * `inc` adds to a hash field, `max` raises one, `set` replaces one, `push` adds to a list
 * capped at its latest 20 entries.
 */
export type StatusOp =
  | { readonly op: 'inc'; readonly name: string; readonly field: string; readonly value: number }
  | { readonly op: 'max'; readonly name: string; readonly field: string; readonly value: number }
  | { readonly op: 'set'; readonly name: string; readonly field: string; readonly value: string }
  | { readonly op: 'push'; readonly name: string; readonly value: string };

/** The names of the lasting hashes and lists (built into keys by libs/store keys.ts). */
export const STATUS_RECORDS = {
  /** hash: consumer group → messages dead-lettered, ever */
  deadLetters: 'dead-letters',
  /** list: the latest dead-lettered messages (JSON: atMs, group, topic, kind, reason) */
  deadLetterRecent: 'dead-letters-recent',
  /** hash: export target → end (epoch ms) of the latest interval delivered */
  exportDelivered: 'export-delivered',
  /** hash: export target → jobs parked, ever */
  exportParked: 'export-parked',
  /** hash: export target → its last failure (JSON: atMs, reason, parked) */
  exportFailure: 'export-failure',
} as const;

/** What a collector adds to a report: sections of the snapshot, and lasting changes. */
export interface StatusContribution {
  readonly status?: Partial<Omit<ServiceStatus, 'service' | 'instance' | 'health'>>;
  readonly ops?: readonly StatusOp[];
}

export type StatusCollector = () => Promise<StatusContribution>;
