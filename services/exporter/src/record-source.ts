import { MINUTE_MS } from '@wfm-stream/core';
import {
  agentNameOf,
  computeIntervalRecords,
  type ExportGroup,
  type ExportInterval,
  type IntervalRecords,
  type RecordInputs,
  type SessionSpan,
  splitByInterval,
} from '@wfm-stream/export';
import {
  AgentQueries,
  DirectoryStore,
  HistoricQueries,
  type Keys,
  type RedisClient,
} from '@wfm-stream/store';

const QUARTER_MS = 15 * MINUTE_MS;

/** 15-minute buckets when every interval boundary is a UTC quarter hour, else 1-minute ones. */
export function bucketMinutesFor(intervals: readonly ExportInterval[]): 1 | 15 {
  return intervals.every((i) => i.startMs % QUARTER_MS === 0 && i.endMs % QUARTER_MS === 0)
    ? 15
    : 1;
}

/** The value of a settled promise, or its failure thrown (after all have settled). */
function valueOf<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/**
 * Reads what the aggregation keeps for a run of intervals and computes their records
 * (the pure computeIntervalRecords). Directory, group sums, the agents' contacts,
 * sessions and direct outgoing contacts: a few round trips for the whole run, whatever
 * the number of groups and agents.
 *
 * Which agents: those of the directory and any the online index knows (an agent with
 * events but no directory entry is named by its id). Which groups: the directory's, and
 * any group an agent answered contacts of.
 */
export class RecordSource {
  private readonly historic: HistoricQueries;
  private readonly agents: AgentQueries;
  private readonly directory: DirectoryStore;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {
    this.historic = new HistoricQueries(redis, keys);
    this.agents = new AgentQueries(redis, keys);
    this.directory = new DirectoryStore(redis, keys, 0);
  }

  async compute(intervals: readonly ExportInterval[]): Promise<IntervalRecords[]> {
    const first = intervals[0];
    const last = intervals[intervals.length - 1];
    if (first === undefined || last === undefined) return [];
    const fromMs = first.startMs;
    const toMs = last.endMs;
    const bucketMinutes = bucketMinutesFor(intervals);

    const [dirResult, onlineResult] = await Promise.allSettled([
      this.directory.read(),
      this.agents.online(),
    ]);
    const directory = valueOf(dirResult);
    const online = valueOf(onlineResult);
    const groupIds = [...directory.groups.keys()];
    const agentIds = [...new Set([...directory.agents.keys(), ...online.keys()])];
    const reads = await Promise.allSettled([
      this.historic.groupBuckets(groupIds, fromMs, toMs, bucketMinutes),
      this.agents.contacts(agentIds, fromMs, toMs),
      this.agents.loginSpans(agentIds, fromMs, toMs),
      this.agents.directOut(agentIds, fromMs, toMs),
    ]);
    const buckets = valueOf(reads[0]);
    const contacts = valueOf(reads[1]);
    const finished = valueOf(reads[2]);
    const directOut = new Map(
      [...valueOf(reads[3])].map(([agentId, list]) => [agentId, list.map((d) => d.atMs)]),
    );
    const known = new Set(groupIds);
    const extra = new Set<string>();
    for (const list of contacts.values())
      for (const contact of list) if (!known.has(contact.groupId)) extra.add(contact.groupId);
    if (extra.size > 0) {
      const more = await this.historic.groupBuckets([...extra], fromMs, toMs, bucketMinutes);
      for (const [groupId, list] of more) buckets.set(groupId, list);
    }

    const sessions = new Map<string, SessionSpan[]>();
    for (const [agentId, spans] of finished) sessions.set(agentId, [...spans]);
    for (const [agentId, state] of online) {
      if (!state.loggedIn || state.loginMs === undefined || state.loginMs >= toMs) continue;
      const open = { startMs: state.loginMs, endMs: Number.POSITIVE_INFINITY };
      sessions.set(agentId, [...(sessions.get(agentId) ?? []), open]);
    }

    const groups = new Map<string, ExportGroup>();
    for (const [id, group] of directory.groups)
      groups.set(id, { name: group.name, active: group.status === 'ACTIVE' });
    const agentNames = new Map<string, string>();
    for (const [id, agent] of directory.agents) agentNames.set(id, agentNameOf(id, agent));

    // the run's contacts and direct outgoing contacts were read once; each interval gets
    // its own part, so computing a run costs its contacts, not contacts × intervals
    // (docs/capacity.md, "Soak")
    const contactsOf = splitByInterval(intervals, contacts, (c) => c.answeredMs);
    const directOutOf = splitByInterval(intervals, directOut, (ms) => ms);
    return intervals.map((interval, i) => {
      const inputs: RecordInputs = {
        groups,
        agentNames,
        buckets,
        contacts: contactsOf[i] ?? new Map(),
        sessions,
        directOut: directOutOf[i] ?? new Map(),
      };
      return computeIntervalRecords(interval, inputs);
    });
  }
}
