import { DAY_MS, loginSpans, stateSpans, type TimelineEvent } from '@wfm-stream/core';

import { mergeTimeline, parsePayload } from '../agents/codec.js';
import type { OnlineAgentState } from '../agents/online-state.js';
import type { AgentStateLabel } from '../agents/state-label.js';
import type { RedisClient } from '../connection.js';
import type { Keys } from '../keys.js';
import { agentCallsInWindow } from '../scripts/agent-calls-window.js';
import { settleAll } from '../settle.js';

/** A finished state of an agent (docs/api.md, "GET /historic/agentStatusData"). */
export interface StateSpan extends AgentStateLabel {
  readonly startMs: number;
  readonly endMs: number;
  readonly serviceId?: string | undefined;
}

/** A finished session: login to logout. */
export interface LoginSpan {
  readonly startMs: number;
  readonly endMs: number;
}

/** A contact an agent answered. */
export interface AgentContact {
  readonly contactId: string;
  readonly groupId: string;
  readonly channel: string;
  readonly answeredMs: number;
  readonly endedMs?: number | undefined;
  readonly outcome?: string | undefined;
  readonly wrapped: boolean;
}

/** A finished chat an agent handled. */
export interface ChatSpan {
  readonly contactId: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** A direct outgoing contact (directOutContacts, services/exporter/README.md). */
export interface DirectOut {
  readonly atMs: number;
  readonly kind: string;
  readonly groupId?: string | undefined;
}

function days(startMs: number, endMs: number): number[] {
  const out: number[] = [];
  for (let d = Math.floor(startMs / DAY_MS); d <= Math.floor((endMs - 1) / DAY_MS); d++)
    out.push(d);
  return out;
}

/**
 * One read per agent and UTC day of [startMs, endMs), all issued together, and the rows
 * each reply holds, gathered per agent in day order (an agent without rows is left out).
 */
async function rowsPerAgentDay<T, R>(
  agentIds: readonly string[],
  startMs: number,
  endMs: number,
  read: (agentId: string, day: number) => Promise<T>,
  rowsOf: (reply: T) => Iterable<R>,
): Promise<Map<string, R[]>> {
  const requests = agentIds.flatMap((agentId) =>
    days(startMs, endMs).map((day) => ({ agentId, day })),
  );
  const replies = await settleAll(requests.map(({ agentId, day }) => read(agentId, day)));
  const result = new Map<string, R[]>();
  replies.forEach((reply, i) => {
    const agentId = requests[i]?.agentId ?? '';
    for (const row of rowsOf(reply)) {
      const list = result.get(agentId);
      if (list === undefined) result.set(agentId, [row]);
      else list.push(row);
    }
  });
  return result;
}

/** Reads what the agent aggregation keeps; one round trip per call, whatever the number of agents. */
export class AgentQueries {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /**
   * The events of each agent's timeline around [startMs, endMs): the last one before the
   * period's first UTC day, every one of the days the period covers, and the first one
   * after its last day. Consecutive events in this window are consecutive in the whole
   * timeline, so every span overlapping the period is between two of them.
   */
  private async window(
    agentIds: readonly string[],
    family: 'tl' | 'se',
    startMs: number,
    endMs: number,
  ): Promise<Map<string, TimelineEvent[]>> {
    const first = Math.floor(startMs / DAY_MS);
    const last = Math.floor((endMs - 1) / DAY_MS);
    const indexes = await settleAll(
      agentIds.map((agentId) => this.redis.zrange(this.keys.timelineDays(agentId, family), 0, -1)),
    );
    const reads: { agentId: string; day: number; from: number; to: number }[] = [];
    indexes.forEach((days, i) => {
      const agentId = agentIds[i] ?? '';
      const numbers = days.map(Number).sort((x, y) => x - y);
      const before = numbers.filter((d) => d < first).at(-1);
      const after = numbers.find((d) => d > last);
      if (before !== undefined) reads.push({ agentId, day: before, from: -1, to: -1 });
      for (const d of numbers)
        if (d >= first && d <= last) reads.push({ agentId, day: d, from: 0, to: -1 });
      if (after !== undefined) reads.push({ agentId, day: after, from: 0, to: 0 });
    });
    // a closed day of tl is packed into tlp:<day>, with what arrived later in tl:<day>: both
    // are read whole (docs/architecture.md, "Closed days: packed timelines")
    const packed = family === 'tl';
    const [replies, packs] = await Promise.all([
      settleAll(
        reads.map((r) =>
          this.redis.zrange(
            this.keys.timeline(r.agentId, family, r.day),
            packed ? 0 : r.from,
            packed ? -1 : r.to,
            'WITHSCORES',
          ),
        ),
      ),
      packed
        ? settleAll(
            reads.map((r) => this.redis.getBuffer(this.keys.packedTimeline(r.agentId, r.day))),
          )
        : Promise.resolve([]),
    ]);
    const result = new Map<string, TimelineEvent[]>();
    replies.forEach((flat, i) => {
      const read = reads[i];
      const agentId = read?.agentId ?? '';
      let list = result.get(agentId);
      if (list === undefined) {
        list = [];
        result.set(agentId, list);
      }
      let entries = mergeTimeline(flat, packs[i] ?? null);
      if (packed && read !== undefined) {
        if (read.from === -1) entries = entries.slice(-1);
        else if (read.to === 0) entries = entries.slice(0, 1);
      }
      for (const e of entries) list.push(timelineEvent(e.member, e.ms));
    });
    return result;
  }

  /** Finished states of each agent that overlap [startMs, endMs) (docs/api.md), by start. */
  statusSpans(
    agentIds: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Map<string, StateSpan[]>> {
    return this.spans(agentIds, 'tl', startMs, endMs, stateSpans, ({ start, endMs: end }) => ({
      startMs: start.atMs,
      endMs: end,
      stateCode: start.state?.code ?? '',
      stateName: start.state?.name ?? '',
      category: start.state?.category ?? '',
      groupId: start.state?.groupId,
      serviceId: start.state?.serviceId,
    }));
  }

  /** Finished sessions (login to logout) of each agent that overlap [startMs, endMs), by start. */
  loginSpans(
    agentIds: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Map<string, LoginSpan[]>> {
    return this.spans(agentIds, 'se', startMs, endMs, loginSpans, (s) => ({
      startMs: s.start.atMs,
      endMs: s.endMs,
    }));
  }

  /** The spans of each agent's timeline that overlap [startMs, endMs), as rows. */
  private async spans<S extends { start: { atMs: number }; endMs: number }, R>(
    agentIds: readonly string[],
    family: 'tl' | 'se',
    startMs: number,
    endMs: number,
    spansOf: (events: TimelineEvent[]) => S[],
    row: (span: S) => R,
  ): Promise<Map<string, R[]>> {
    const windows = await this.window(agentIds, family, startMs, endMs);
    const result = new Map<string, R[]>();
    for (const [agentId, events] of windows) {
      const spans = spansOf(events)
        .filter((s) => s.start.atMs < endMs && s.endMs > startMs)
        .map(row);
      if (spans.length > 0) result.set(agentId, spans);
    }
    return result;
  }

  /** Contacts each agent answered in [startMs, endMs) whose group is known. */
  async contacts(
    agentIds: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Map<string, AgentContact[]>> {
    // a whole day is its whole hash; a part of one, what its index by time names
    // (docs/capacity.md, "Soak"): the exporter's window of minutes reads only its contacts
    const read = (agentId: string, day: number) =>
      startMs <= day * DAY_MS && endMs >= (day + 1) * DAY_MS
        ? this.redis.hgetall(this.keys.agentCalls(agentId, day))
        : agentCallsInWindow(this.redis, {
            keys: this.keys,
            agentId,
            utcDay: day,
            startMs: Math.max(startMs, day * DAY_MS),
            endMs: Math.min(endMs, (day + 1) * DAY_MS),
          });
    const result = await rowsPerAgentDay(agentIds, startMs, endMs, read, (fields) =>
      answeredIn(fields, startMs, endMs),
    );
    for (const list of result.values())
      list.sort((a, b) => a.answeredMs - b.answeredMs || (a.contactId < b.contactId ? -1 : 1));
    return result;
  }

  /** Finished chats of each agent that overlap [startMs, endMs). */
  async chatSpans(
    agentIds: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Map<string, ChatSpan[]>> {
    const read = (agentId: string, day: number) =>
      this.redis.hgetall(this.keys.agentChats(agentId, day));
    const rows = await rowsPerAgentDay(agentIds, startMs, endMs, read, (fields) =>
      chatsIn(fields, startMs, endMs),
    );
    // a chat indexed on several days is one span: each contact once, as its last day has it
    return new Map(
      [...rows].map(([agentId, spans]) => [
        agentId,
        [...new Map(spans.map((span) => [span.contactId, span])).values()],
      ]),
    );
  }

  /** Direct outgoing contacts of each agent in [startMs, endMs). */
  directOut(
    agentIds: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Map<string, DirectOut[]>> {
    const read = (agentId: string, day: number) =>
      this.redis.zrangebyscore(
        this.keys.timeline(agentId, 'do', day),
        String(startMs),
        `(${endMs}`,
        'WITHSCORES',
      );
    return rowsPerAgentDay(agentIds, startMs, endMs, read, directOutIn);
  }

  /** Every agent the online index knows, logged in or not. */
  async online(): Promise<Map<string, OnlineAgentState>> {
    const [states, sessions] = await Promise.all([
      this.redis.hgetall(this.keys.online('state')),
      this.redis.hgetall(this.keys.online('session')),
    ]);
    const result = new Map<string, OnlineAgentState>();
    for (const [agentId, text] of Object.entries(states)) {
      const cut = text.indexOf('\u001f');
      const startMs = Number(text.slice(0, cut));
      const payload = parsePayload(text.slice(cut + 1));
      const [sessionMs = '', sessionKind = ''] = (sessions[agentId] ?? '').split('\u001f');
      if (payload.kind === 'I' || payload.kind === 'S') {
        result.set(agentId, {
          agentId,
          loggedIn: true,
          stateCode: payload.stateCode,
          stateName: payload.stateName,
          category: payload.category,
          startMs,
          groupId: payload.groupId,
          loginMs: sessionKind === 'I' ? Number(sessionMs) : undefined,
        });
      } else {
        result.set(agentId, {
          agentId,
          loggedIn: false,
          stateCode: '',
          stateName: '',
          category: '',
          startMs,
        });
      }
    }
    return result;
  }
}

/** The contacts of a calls:<day> hash answered in [startMs, endMs) whose group is known. */
function* answeredIn(
  fields: Record<string, string>,
  startMs: number,
  endMs: number,
): Generator<AgentContact> {
  for (const contactId in fields) {
    const text = fields[contactId] ?? '';
    // version \x1f group \x1f channel \x1f answered \x1f ended \x1f outcome \x1f wrapped, or version \x1f x;
    // the hash is the whole day's (no index by time, docs/capacity.md "Soak"): the answer
    // instant is read first, and only the fields of contacts inside the period are split
    const answeredMs = answeredOf(text);
    if (answeredMs === undefined || answeredMs < startMs || answeredMs >= endMs) continue;
    const [, group = '', channel = '', , ended = '', outcome = '', wrapped] = text.split('\u001f');
    if (group === '') continue;
    yield {
      contactId,
      groupId: group,
      channel,
      answeredMs,
      endedMs: ended === '' ? undefined : Number(ended),
      outcome: outcome === '' ? undefined : outcome,
      wrapped: wrapped === '1',
    };
  }
}

/** The chats of a chats:<day> hash (contactId: start,end) that overlap [startMs, endMs). */
function* chatsIn(
  fields: Record<string, string>,
  startMs: number,
  endMs: number,
): Generator<ChatSpan> {
  for (const [contactId, text] of Object.entries(fields)) {
    const [a = 0, n = 0] = text.split(',').map(Number);
    if (n > startMs && a < endMs) yield { contactId, startMs: a, endMs: n };
  }
}

/** The direct outgoing contacts of a do:<day> timeline read WITHSCORES. */
function* directOutIn(flat: readonly string[]): Generator<DirectOut> {
  for (let j = 0; j + 1 < flat.length; j += 2) {
    const member = flat[j] ?? '';
    const payload = parsePayload(member.slice(member.indexOf('\u0000') + 1));
    if (payload.kind === 'D')
      yield { atMs: Number(flat[j + 1]), kind: payload.contactKind, groupId: payload.groupId };
  }
}

/** The answer instant of a calls:<day> field, or undefined for a tombstone (version \x1f x). */
function answeredOf(text: string): number | undefined {
  let at = -1;
  for (let n = 0; n < 3; n++) {
    at = text.indexOf('\u001f', at + 1);
    if (at === -1) return undefined;
  }
  const end = text.indexOf('\u001f', at + 1);
  return Number(end === -1 ? text.slice(at + 1) : text.slice(at + 1, end));
}

/** A stored timeline member (eventId \0 payload) as the pure span functions take it. */
function timelineEvent(member: string, atMs: number): TimelineEvent {
  const cut = member.indexOf('\u0000');
  const eventId = member.slice(0, cut);
  const payload = parsePayload(member.slice(cut + 1));
  if (payload.kind === 'O' || payload.kind === 'D') return { eventId, atMs, kind: 'logout' };
  return {
    eventId,
    atMs,
    kind: payload.kind === 'I' ? 'login' : 'state',
    state: {
      code: payload.stateCode,
      name: payload.stateName,
      category: payload.category,
      groupId: payload.groupId,
      serviceId: payload.serviceId,
    },
  };
}
