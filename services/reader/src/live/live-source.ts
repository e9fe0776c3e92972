import { formatDayNumber, formatInstant, type TimeZone } from '@wfm-stream/core';
import type { AgentStatusRow, GroupLoadRow, TodayRow } from '@wfm-stream/dashboard-ui';
import { STATUS_RECORDS } from '@wfm-stream/observability';
import type {
  AgentQueries,
  Directory,
  DirectoryStore,
  OnlineAgentState,
  OnlineQueries,
  StatusBoard,
  StatusBoardReading,
} from '@wfm-stream/store';

import { ApiError } from '../errors.js';
import { PreparedBody } from '../prepared-body.js';
import type { RouteDefinition } from '../route.js';
import { agentStatusRows, groupsOnlineLoadRows } from '../routes/online.js';
import { serializerFor } from '../serializer.js';
import { todayRows } from './views.js';

/** What the live stream's online topics are computed from: one round trip. */
export interface OnlineReading {
  readonly directory: Directory;
  readonly agents: ReadonlyMap<string, OnlineAgentState>;
  /** groupsOnlineLoad rows of the directory's groups, then of the extra ones asked for. */
  readonly loads: readonly GroupLoadRow[];
  readonly agentStatus: readonly AgentStatusRow[];
  readonly oldestWaiting: ReadonlyMap<string, number>;
}

export interface TodayReading {
  /** The local day, YYYY-MM-DD. */
  readonly day: string;
  /** Its local midnight and the next, ISO-8601 with offset. */
  readonly start: string;
  readonly end: string;
  readonly rows: readonly TodayRow[];
}

export interface LiveSourceDeps {
  readonly agents: AgentQueries;
  readonly online: OnlineQueries;
  readonly directory: DirectoryStore;
  readonly board: StatusBoard;
  /** The serviceGroupData endpoint itself: Today is its answer for today. */
  readonly serviceGroupData: RouteDefinition;
  readonly zone: TimeZone;
  readonly systemId: string;
  readonly maxIds: number;
  readonly now: () => number;
}

/**
 * Reads what the live stream shows, through the same queries and functions as the
 * endpoints (routes/online.ts, routes/service-group-data.ts), so its rows are the API's.
 */
export class LiveSource {
  constructor(private readonly deps: LiveSourceDeps) {}

  async online(extraGroupIds: ReadonlySet<string>): Promise<OnlineReading> {
    const { deps } = this;
    const today = deps.zone.dayNumberAt(deps.now());
    // the directory first: which groups there are (one small round trip, then one more)
    const directory = await deps.directory.read();
    const groupIds = [...directory.groups.keys()].sort();
    for (const id of extraGroupIds) if (!directory.groups.has(id)) groupIds.push(id);
    const [loads, agents, oldestWaiting] = await Promise.all([
      deps.online.groupLoads(groupIds, today),
      deps.agents.online(),
      deps.online.oldestWaiting(groupIds),
    ]);
    return {
      directory,
      agents,
      loads: groupsOnlineLoadRows(groupIds, loads, directory, agents, deps.systemId),
      agentStatus: agentStatusRows(agents),
      oldestWaiting,
    };
  }

  /** serviceGroupData from today's local midnight to the next, in steps of `step`. */
  async today(step: number, groupIds: readonly string[]): Promise<TodayReading> {
    const { deps } = this;
    const day = deps.zone.dayNumberAt(deps.now());
    const start = deps.zone.startOfDay(day);
    const end = deps.zone.startOfDay(day + 1);
    const rows: TodayRow[] = [];
    const startDate = formatInstant(start, deps.zone.offsetMinutesAt(start));
    const endDate = formatInstant(end, deps.zone.offsetMinutesAt(end));
    for (let i = 0; i < groupIds.length; i += deps.maxIds) {
      const query = {
        startDate,
        endDate,
        step: String(step),
        groupId: groupIds.slice(i, i + deps.maxIds).join(','),
      };
      try {
        // the route's own serialiser: what it caches has the bytes the endpoint sends
        const serialize = serializerFor(deps.serviceGroupData.response);
        const answer = await deps.serviceGroupData.handle(query, serialize);
        const json = answer instanceof PreparedBody ? answer.json : serialize(answer);
        rows.push(...todayRows(JSON.parse(json) as Parameters<typeof todayRows>[0]));
      } catch (error) {
        // no group had a contact today: an empty day, not a failure
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      }
    }
    return { day: formatDayNumber(day), start: startDate, end: endDate, rows };
  }

  async board(): Promise<StatusBoardReading> {
    return this.deps.board.read(
      [
        STATUS_RECORDS.deadLetters,
        STATUS_RECORDS.exportDelivered,
        STATUS_RECORDS.exportParked,
        STATUS_RECORDS.exportFailure,
      ],
      [STATUS_RECORDS.deadLetterRecent],
    );
  }
}
