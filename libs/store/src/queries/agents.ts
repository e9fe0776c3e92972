import { DAY_MS } from '@wfm-stream/core';

import type { OnlineAgentState } from '../agents/online-state.js';
import type { RedisClient } from '../connection.js';
import type { Keys } from '../keys.js';
import { settleAll } from '../settle.js';

/** A finished state of an agent (SPEC §5 agentStatusData). */
export interface StateSpan {
  readonly startMs: number;
  readonly endMs: number;
  readonly stateCode: string;
  readonly stateName: string;
  readonly category: string;
  readonly groupId?: string | undefined;
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

/** A direct outgoing contact (SPEC §9 directOutContacts). */
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

/** Reads what the agent aggregation keeps; one round trip per call, whatever the number of agents. */
export class AgentQueries {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Members of per-day span sets of each agent whose span overlaps [startMs, endMs), once each. */
  private async spans(
    agentIds: readonly string[],
    family: 'ss' | 'ls',
    startMs: number,
    endMs: number,
  ): Promise<Map<string, unknown[][]>> {
    const requests = agentIds.flatMap((agentId) =>
      days(startMs, endMs).map((day) => ({ agentId, day })),
    );
    const replies = await settleAll(
      requests.map(({ agentId, day }) =>
        this.redis.zrangebyscore(
          `${this.keys.agent(agentId)}${family}:${day}`,
          '-inf',
          `(${endMs}`,
        ),
      ),
    );
    const result = new Map<string, unknown[][]>();
    const seen = new Set<string>();
    replies.forEach((members, i) => {
      const agentId = requests[i]?.agentId ?? '';
      for (const member of members) {
        const span = JSON.parse(member) as unknown[];
        const spanEnd = span[1] as number;
        const key = `${agentId}\u0000${member}`;
        if (spanEnd <= startMs || seen.has(key)) continue;
        seen.add(key);
        const list = result.get(agentId);
        if (list === undefined) result.set(agentId, [span]);
        else list.push(span);
      }
    });
    for (const list of result.values()) list.sort((a, b) => (a[0] as number) - (b[0] as number));
    return result;
  }

  async statusSpans(
    agentIds: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Map<string, StateSpan[]>> {
    const raw = await this.spans(agentIds, 'ss', startMs, endMs);
    return new Map(
      [...raw].map(([agentId, spans]) => [
        agentId,
        spans.map(([s, e, , code, name, category, group, service]) => ({
          startMs: s as number,
          endMs: e as number,
          stateCode: code as string,
          stateName: name as string,
          category: category as string,
          groupId: group === '' ? undefined : (group as string),
          serviceId: service === '' ? undefined : (service as string),
        })),
      ]),
    );
  }

  async loginSpans(
    agentIds: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Map<string, LoginSpan[]>> {
    const raw = await this.spans(agentIds, 'ls', startMs, endMs);
    return new Map(
      [...raw].map(([agentId, spans]) => [
        agentId,
        spans.map(([s, e]) => ({ startMs: s as number, endMs: e as number })),
      ]),
    );
  }

  /** Contacts each agent answered in [startMs, endMs) whose group is known. */
  async contacts(
    agentIds: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Map<string, AgentContact[]>> {
    const requests = agentIds.flatMap((agentId) =>
      days(startMs, endMs).map((day) => ({ agentId, day })),
    );
    const replies = await settleAll(
      requests.map(({ agentId, day }) =>
        this.redis.hgetall(`${this.keys.agent(agentId)}calls:${day}`),
      ),
    );
    const result = new Map<string, AgentContact[]>();
    replies.forEach((fields, i) => {
      const agentId = requests[i]?.agentId ?? '';
      for (const [contactId, text] of Object.entries(fields)) {
        const record = JSON.parse(text) as {
          x?: boolean;
          r?: {
            g: string | null;
            h: string | null;
            a: number;
            n: number | null;
            o: string | null;
            w: boolean;
          };
        };
        const r = record.r;
        if (record.x === true || r === undefined || r.g === null) continue;
        if (r.a < startMs || r.a >= endMs) continue;
        const contact: AgentContact = {
          contactId,
          groupId: r.g,
          channel: r.h ?? '',
          answeredMs: r.a,
          endedMs: r.n ?? undefined,
          outcome: r.o ?? undefined,
          wrapped: r.w,
        };
        const list = result.get(agentId);
        if (list === undefined) result.set(agentId, [contact]);
        else list.push(contact);
      }
    });
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
    const requests = agentIds.flatMap((agentId) =>
      days(startMs, endMs).map((day) => ({ agentId, day })),
    );
    const replies = await settleAll(
      requests.map(({ agentId, day }) =>
        this.redis.hgetall(`${this.keys.agent(agentId)}chats:${day}`),
      ),
    );
    const result = new Map<string, Map<string, ChatSpan>>();
    replies.forEach((fields, i) => {
      const agentId = requests[i]?.agentId ?? '';
      for (const [contactId, text] of Object.entries(fields)) {
        const [a = 0, n = 0] = text.split(',').map(Number);
        if (n <= startMs || a >= endMs) continue;
        let spans = result.get(agentId);
        if (spans === undefined) {
          spans = new Map();
          result.set(agentId, spans);
        }
        spans.set(contactId, { contactId, startMs: a, endMs: n });
      }
    });
    return new Map([...result].map(([agentId, spans]) => [agentId, [...spans.values()]]));
  }

  /** Direct outgoing contacts of each agent in [startMs, endMs). */
  async directOut(
    agentIds: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Map<string, DirectOut[]>> {
    const requests = agentIds.flatMap((agentId) =>
      days(startMs, endMs).map((day) => ({ agentId, day })),
    );
    const replies = await settleAll(
      requests.map(({ agentId, day }) =>
        this.redis.zrangebyscore(
          `${this.keys.agent(agentId)}do:${day}`,
          String(startMs),
          `(${endMs}`,
          'WITHSCORES',
        ),
      ),
    );
    const result = new Map<string, DirectOut[]>();
    replies.forEach((flat, i) => {
      const agentId = requests[i]?.agentId ?? '';
      for (let j = 0; j + 1 < flat.length; j += 2) {
        const member = flat[j] ?? '';
        const payload = JSON.parse(member.slice(member.indexOf('\u0000') + 1)) as {
          k: string;
          g?: string;
        };
        const list = result.get(agentId) ?? [];
        list.push({ atMs: Number(flat[j + 1]), kind: payload.k, groupId: payload.g });
        result.set(agentId, list);
      }
    });
    return result;
  }

  /** Every agent the online index knows, logged in or not. */
  async online(): Promise<Map<string, OnlineAgentState>> {
    const fields = await this.redis.hgetall(`${this.keys.online()}agents`);
    return new Map(
      Object.entries(fields).map(([agentId, text]) => [
        agentId,
        JSON.parse(text) as OnlineAgentState,
      ]),
    );
  }
}
