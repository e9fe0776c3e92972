/**
 * The live stream's wire format, `GET /online/stream` (docs/api.md): shared by the reader,
 * which sends it, and the dashboard, which reads it. Every event's data is JSON.
 *
 * Collections (every topic but `pipeline`) arrive as a snapshot, then deltas: a client
 * keeps the rows by key and applies each delta in order, removing `remove` and putting
 * `upsert`. A snapshot replaces everything (after a reconnect, at local midnight for
 * `today`, or when the step changes).
 */

export const STREAM_TOPICS = [
  'groupsOnlineLoad',
  'agentStatus',
  'queues',
  'agents',
  'today',
  'exports',
  'pipeline',
] as const;
export type StreamTopic = (typeof STREAM_TOPICS)[number];

/** Steps of the Today topic, ms. */
export const TODAY_STEPS = [900_000, 1_800_000, 3_600_000] as const;

/** `event: hello`, first on every connection. */
export interface HelloEvent {
  /** The server's clock when it was sent, epoch ms: durations tick from it. */
  readonly serverTime: number;
  /** The contact center's zone (TIMEZONE): every time is shown in it. */
  readonly timeZone: string;
  readonly version: string;
  readonly topics: readonly StreamTopic[];
  /** A heartbeat arrives at least this often; a client that hears nothing for longer is stale. */
  readonly heartbeatMs: number;
}

/** `event: heartbeat`. */
export interface HeartbeatEvent {
  readonly serverTime: number;
}

/** The data of a collection event. */
export interface CollectionEvent<R> {
  /** Present and true on a snapshot, whose `upsert` is the whole collection. */
  readonly snapshot?: boolean;
  readonly upsert: readonly R[];
  readonly remove: readonly string[];
  /** When the server computed it, epoch ms. */
  readonly at: number;
}

/** `event: today`: a collection event with the grid it is laid on. */
export interface TodayEvent extends CollectionEvent<TodayRow> {
  readonly step: number;
  /** The local day (TIMEZONE), YYYY-MM-DD. */
  readonly day: string;
  /** Its local midnight and the next, ISO-8601 with offset: the grid starts at `start`. */
  readonly start: string;
  readonly end: string;
}

/** A row of `groupsOnlineLoad`: exactly the row of GET /online/groupsOnlineLoad. Key: groupId. */
export interface GroupLoadRow {
  readonly serviceId: string;
  readonly groupId: string;
  readonly callNumber: number;
  readonly operatorNumber: number;
  readonly callReceived: number;
  readonly aht?: number;
  readonly acd?: number;
  readonly awt?: number;
  readonly callAnswered: number;
  readonly callAnsweredTst: number;
  readonly callProcessing: number;
}

/** A row of `agentStatus`: exactly the row of GET /online/agentStatus. Key: agentId. */
export interface AgentStatusRow {
  readonly agentId: string;
  readonly stateCode: string;
  readonly stateName: string;
  readonly startDate: string;
}

/** Logged-in agents of a group by the category of their state. */
export interface AgentsByState {
  readonly available: number;
  readonly busy: number;
  readonly afterContactWork: number;
  readonly notReady: number;
}

/** A row of `queues`: a group of the directory now. Key: groupId. */
export interface QueueRow {
  readonly groupId: string;
  readonly name: string;
  readonly serviceId: string;
  readonly serviceName: string;
  readonly channelType?: string;
  /** The group's row of GET /online/groupsOnlineLoad. */
  readonly load: GroupLoadRow;
  /** The offer time of the contact waiting longest, ISO-8601 (absent when none waits). */
  readonly oldestWaitingSince?: string;
  readonly agents: AgentsByState;
  /**
   * Since the start of the day: callAnsweredTst ÷ callAnswered × 100 (absent before the
   * first answer), against the group's goal and answer-time target.
   */
  readonly serviceLevel: {
    readonly percent?: number;
    readonly goalPercent: number;
    readonly targetSeconds: number;
  };
}

/** A row of `agents`: a logged-in agent. Key: agentId. */
export interface AgentRow {
  readonly agentId: string;
  /** The directory's name and surname, or the id when the directory does not know it. */
  readonly name: string;
  readonly stateCode: string;
  readonly stateName: string;
  /** AVAILABLE, BUSY, AFTER_CONTACT_WORK or NOT_READY. */
  readonly category: string;
  /** When the current state started, as in agentStatus. */
  readonly startDate: string;
  readonly loginDate?: string;
  readonly groupIds: readonly string[];
}

/** A row of `today`: one interval of one group, as GET /historic/serviceGroupData answers it. Key: `groupId|startInterval`. */
export interface TodayRow {
  readonly groupId: string;
  readonly serviceId: string;
  readonly startInterval: string;
  readonly endInterval: string;
  readonly notUniqueReceived: number;
  readonly notUniqueTreated: number;
  readonly notUniqueMissed: number;
  readonly receivedCalls: number;
  readonly treatedCalls: number;
  readonly missCalls: number;
  readonly aht: number;
  readonly postProcessing: number;
}

/** A row of `exports`: an export target. Key: target. */
export interface ExportRow {
  readonly target: string;
  /** End of the latest interval delivered, ISO-8601. */
  readonly lastDeliveredEnd?: string;
  /** Jobs the workers have fetched and not finished. */
  readonly queued: number;
  /** The job waiting for another attempt after a failure. */
  readonly retrying?: { readonly attempt: number; readonly reason: string; readonly since: string };
  /** Jobs parked on the dead-letter topic, ever. */
  readonly parked: number;
  readonly lastFailure?: { readonly at: string; readonly reason: string; readonly parked: boolean };
  /** Exporter instances reporting this target now. */
  readonly instances: number;
}

export interface Quantiles {
  readonly count: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

/** `event: pipeline`: the whole view, each time it changes. */
export interface PipelineEvent {
  readonly at: number;
  readonly services: readonly {
    readonly service: string;
    readonly instance: string;
    readonly live: boolean;
    readonly ready: boolean;
    readonly startedAt: string;
    readonly reportedAt: string;
    /** Components that are not ready, with why. */
    readonly problems: readonly string[];
  }[];
  readonly consumers: readonly {
    readonly group: string;
    readonly lag: number;
    readonly eventsPerSecond: number;
    readonly instances: number;
  }[];
  /** Valid events per second into the aggregators. */
  readonly eventsPerSecond: number;
  readonly deadLetters: {
    readonly total: number;
    readonly byGroup: Readonly<Record<string, number>>;
    readonly recent: readonly {
      readonly at: string;
      readonly group: string;
      readonly topic: string;
      readonly kind: string;
      readonly reason: string;
    }[];
  };
  /** Over the last minute; the slowest instance's figures. */
  readonly statusPush?: Quantiles;
  readonly onlineFreshness?: Quantiles;
  readonly streamClients: number;
}
