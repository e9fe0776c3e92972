import { formatInstant } from '@wfm-stream/core';
import type {
  AgentRow,
  AgentsByState,
  ExportRow,
  GroupLoadRow,
  PipelineEvent,
  Quantiles,
  QueueRow,
  TodayRow,
} from '@wfm-stream/dashboard-ui';
import { type ServiceStatus, STATUS_RECORDS } from '@wfm-stream/observability';
import type { Directory, OnlineAgentState, StatusBoardReading } from '@wfm-stream/store';

/**
 * The dashboard's collections, computed from what the live source read (live-source.ts).
 * Pure: the rows the API answers (groupsOnlineLoad, agentStatus, serviceGroupData) come in
 * already computed by the same functions the endpoints use, so the dashboard's figures
 * are the API's (docs/dashboard.md).
 */

export interface ServiceLevelSettings {
  readonly targetSeconds: (groupId: string) => number;
  readonly goalPercent: (groupId: string) => number;
}

const CATEGORY_FIELD: Readonly<Record<string, keyof AgentsByState>> = {
  AVAILABLE: 'available',
  BUSY: 'busy',
  AFTER_CONTACT_WORK: 'afterContactWork',
  NOT_READY: 'notReady',
};

/** Logged-in agents of each group (by the directory's agent groups), by state category. */
export function agentsByState(
  directory: Directory,
  agents: ReadonlyMap<string, OnlineAgentState>,
): Map<string, AgentsByState> {
  const counts = new Map<string, Record<keyof AgentsByState, number>>();
  for (const agent of agents.values()) {
    if (!agent.loggedIn) continue;
    const field = CATEGORY_FIELD[agent.category] ?? 'notReady';
    for (const groupId of new Set(directory.agents.get(agent.agentId)?.groupIds ?? [])) {
      let c = counts.get(groupId);
      if (c === undefined) {
        c = { available: 0, busy: 0, afterContactWork: 0, notReady: 0 };
        counts.set(groupId, c);
      }
      c[field]++;
    }
  }
  return counts;
}

/** Service level since the start of the day, percent with one decimal (half up). */
export function serviceLevelPercent(load: GroupLoadRow): number | undefined {
  if (load.callAnswered === 0) return undefined;
  return Math.round((load.callAnsweredTst / load.callAnswered) * 1000) / 10;
}

/** One row per group of the directory, in the order of `loads` (the directory's groups). */
export function queueRows(
  loads: readonly GroupLoadRow[],
  directory: Directory,
  agents: ReadonlyMap<string, OnlineAgentState>,
  oldestWaiting: ReadonlyMap<string, number>,
  serviceLevel: ServiceLevelSettings,
): QueueRow[] {
  const byState = agentsByState(directory, agents);
  const none: AgentsByState = { available: 0, busy: 0, afterContactWork: 0, notReady: 0 };
  const rows: QueueRow[] = [];
  for (const load of loads) {
    const group = directory.groups.get(load.groupId);
    if (group === undefined) continue;
    const oldest = load.callNumber > 0 ? oldestWaiting.get(load.groupId) : undefined;
    const percent = serviceLevelPercent(load);
    rows.push({
      groupId: load.groupId,
      name: group.name,
      serviceId: load.serviceId,
      serviceName: directory.services.get(load.serviceId)?.name ?? load.serviceId,
      ...(group.channelType === undefined ? {} : { channelType: group.channelType }),
      load,
      ...(oldest === undefined ? {} : { oldestWaitingSince: formatInstant(oldest) }),
      agents: byState.get(load.groupId) ?? none,
      serviceLevel: {
        ...(percent === undefined ? {} : { percent }),
        goalPercent: serviceLevel.goalPercent(load.groupId),
        targetSeconds: serviceLevel.targetSeconds(load.groupId),
      },
    });
  }
  return rows;
}

/** Every logged-in agent, by id (the order of agentStatus). */
export function agentRows(
  directory: Directory,
  agents: ReadonlyMap<string, OnlineAgentState>,
): AgentRow[] {
  const rows: AgentRow[] = [];
  for (const state of agents.values()) {
    if (!state.loggedIn) continue;
    const entry = directory.agents.get(state.agentId);
    const name =
      entry === undefined ? state.agentId : [entry.name, entry.surname].filter(Boolean).join(' ');
    rows.push({
      agentId: state.agentId,
      name,
      stateCode: state.stateCode,
      stateName: state.stateName,
      category: state.category,
      startDate: formatInstant(state.startMs),
      ...(state.loginMs === undefined ? {} : { loginDate: formatInstant(state.loginMs) }),
      groupIds: entry?.groupIds ?? [],
    });
  }
  return rows.sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
}

/** serviceGroupData's answer, one row per group and interval. */
export function todayRows(
  answer: readonly {
    serviceId: string;
    groupId: string;
    historicData: readonly Omit<TodayRow, 'groupId' | 'serviceId'>[];
  }[],
): TodayRow[] {
  return answer.flatMap((group) =>
    group.historicData.map((interval) => ({
      groupId: group.groupId,
      serviceId: group.serviceId,
      ...interval,
    })),
  );
}

export const todayKey = (row: TodayRow): string => `${row.groupId}|${row.startInterval}`;

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One row per export target: what the exporters report now, and the lasting records. */
export function exportRows(board: StatusBoardReading): ExportRow[] {
  const delivered = board.records.get(STATUS_RECORDS.exportDelivered) ?? {};
  const parked = board.records.get(STATUS_RECORDS.exportParked) ?? {};
  const failures = board.records.get(STATUS_RECORDS.exportFailure) ?? {};
  const targets = new Map<
    string,
    { queued: number; instances: number; retrying?: ExportRow['retrying'] }
  >();
  for (const instance of board.instances) {
    for (const [target, activity] of Object.entries(instance.exports ?? {})) {
      const t = targets.get(target) ?? { queued: 0, instances: 0 };
      t.queued += activity.queued;
      t.instances++;
      if (activity.retrying !== undefined && t.retrying === undefined) {
        t.retrying = {
          attempt: activity.retrying.attempt,
          reason: activity.retrying.reason,
          since: formatInstant(activity.retrying.sinceMs),
        };
      }
      targets.set(target, t);
    }
  }
  const names = new Set([...targets.keys(), ...Object.keys(delivered), ...Object.keys(parked)]);
  return [...names].sort().map((target) => {
    const t = targets.get(target);
    const end = Number(delivered[target]);
    const failure = parseJson(failures[target]) as
      { atMs?: number; reason?: string; parked?: boolean } | undefined;
    return {
      target,
      ...(Number.isFinite(end) && end > 0 ? { lastDeliveredEnd: formatInstant(end) } : {}),
      queued: t?.queued ?? 0,
      ...(t?.retrying === undefined ? {} : { retrying: t.retrying }),
      parked: Number(parked[target] ?? 0) || 0,
      ...(failure?.atMs === undefined
        ? {}
        : {
            lastFailure: {
              at: formatInstant(failure.atMs),
              reason: failure.reason ?? '',
              parked: failure.parked === true,
            },
          }),
      instances: t?.instances ?? 0,
    };
  });
}

function worst(values: readonly (Quantiles | undefined)[]): Quantiles | undefined {
  const present = values.filter((q): q is Quantiles => q !== undefined && q.count > 0);
  if (present.length === 0) return values.some((q) => q !== undefined) ? { count: 0 } : undefined;
  const max = (pick: (q: Quantiles) => number | undefined): number | undefined => {
    const xs = present.map(pick).filter((x): x is number => x !== undefined);
    return xs.length === 0 ? undefined : Math.max(...xs);
  };
  const p50Ms = max((q) => q.p50Ms);
  const p99Ms = max((q) => q.p99Ms);
  return {
    count: present.reduce((sum, q) => sum + q.count, 0),
    ...(p50Ms === undefined ? {} : { p50Ms }),
    ...(p99Ms === undefined ? {} : { p99Ms }),
  };
}

function problems(instance: ServiceStatus): string[] {
  const list: string[] = [];
  for (const [name, state] of Object.entries(instance.health.components)) {
    const s = state as { ready?: boolean; detail?: string };
    if (s.ready !== true) list.push(s.detail === undefined ? name : `${name}: ${s.detail}`);
  }
  return list;
}

/** The Pipeline view from the status board. */
export function pipelineView(board: StatusBoardReading, atMs: number): PipelineEvent {
  const consumers = new Map<string, { lag: number; eventsPerSecond: number; instances: number }>();
  let eventsPerSecond = 0;
  let streamClients = 0;
  for (const instance of board.instances) {
    const c = instance.consumer;
    if (c !== undefined) {
      const g = consumers.get(c.group) ?? { lag: 0, eventsPerSecond: 0, instances: 0 };
      g.lag += c.lag;
      g.eventsPerSecond += c.eventsPerSecond;
      g.instances++;
      consumers.set(c.group, g);
      if (instance.service === 'aggregator') eventsPerSecond += c.eventsPerSecond;
    }
    streamClients += instance.live?.clients ?? 0;
  }
  const byGroupText = board.records.get(STATUS_RECORDS.deadLetters) ?? {};
  const byGroup: Record<string, number> = {};
  let total = 0;
  for (const [group, count] of Object.entries(byGroupText)) {
    byGroup[group] = Number(count) || 0;
    total += byGroup[group];
  }
  const recent = (board.lists.get(STATUS_RECORDS.deadLetterRecent) ?? []).flatMap((text) => {
    const r = parseJson(text) as
      { atMs?: number; group?: string; topic?: string; kind?: string; reason?: string } | undefined;
    if (r?.atMs === undefined) return [];
    return [
      {
        at: formatInstant(r.atMs),
        group: r.group ?? '',
        topic: r.topic ?? '',
        kind: r.kind ?? '',
        reason: r.reason ?? '',
      },
    ];
  });
  const statusPush = worst(board.instances.map((i) => i.latencies?.statusPush));
  const onlineFreshness = worst(board.instances.map((i) => i.latencies?.onlineFreshness));
  return {
    at: atMs,
    services: board.instances.map((instance) => ({
      service: instance.service,
      instance: instance.instance,
      live: instance.health.live,
      ready: instance.health.ready,
      startedAt: formatInstant(instance.startedAtMs),
      reportedAt: formatInstant(instance.atMs),
      problems: problems(instance),
    })),
    consumers: [...consumers.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([group, g]) => ({
        group,
        ...g,
        eventsPerSecond: Math.round(g.eventsPerSecond * 10) / 10,
      })),
    eventsPerSecond: Math.round(eventsPerSecond * 10) / 10,
    deadLetters: { total, byGroup, recent: recent.slice(0, 10) },
    ...(statusPush === undefined ? {} : { statusPush }),
    ...(onlineFreshness === undefined ? {} : { onlineFreshness }),
    streamClients,
  };
}
