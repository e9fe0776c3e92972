import type {
  AgentActivity,
  AgentLogin,
  ExportInterval,
  IntervalRecords,
  QueueStatistics,
} from '@wfm-stream/export';
import type { WfmEvent } from '@wfm-stream/schemas';

/**
 * The export records (services/exporter/README.md, "The records") computed straight from
 * the raw events, in memory, for tests: no store, no buckets, no shared code with the
 * exporter's computation. Each event slot of a contact holds its latest event (by
 * occurredAt, then eventId), as docs/architecture.md, "Principles" says.
 */

const at = (e: WfmEvent): number => Date.parse(e.occurredAt);

function later(a: WfmEvent, b: WfmEvent | undefined): boolean {
  if (b === undefined) return true;
  return at(a) !== at(b) ? at(a) > at(b) : a.eventId > b.eventId;
}

interface Contact {
  offered?: Extract<WfmEvent, { type: 'contact.offered' }>;
  answered?: Extract<WfmEvent, { type: 'contact.answered' }>;
  ended?: Extract<WfmEvent, { type: 'contact.ended' }>;
  wrapped?: Extract<WfmEvent, { type: 'contact.wrappedUp' }>;
}

const seconds = (ms: number): number => Math.floor((ms + 500) / 1000);
const within = (i: ExportInterval, ms: number): boolean => ms >= i.startMs && ms < i.endMs;
const cut = (s: string): string => s.slice(0, 100);

export function referenceRecords(
  events: readonly WfmEvent[],
  intervals: readonly ExportInterval[],
): IntervalRecords[] {
  const groups = new Map<string, Extract<WfmEvent, { type: 'group.upserted' }>>();
  const agents = new Map<string, Extract<WfmEvent, { type: 'agent.upserted' }>>();
  const contacts = new Map<string, Contact>();
  const sessionEvents = new Map<string, WfmEvent[]>();
  const directOut = new Map<string, number[]>();
  for (const e of events) {
    switch (e.type) {
      case 'group.upserted':
        if (later(e, groups.get(e.groupId))) groups.set(e.groupId, e);
        break;
      case 'agent.upserted':
        if (later(e, agents.get(e.agentId))) agents.set(e.agentId, e);
        break;
      case 'contact.offered':
      case 'contact.answered':
      case 'contact.ended':
      case 'contact.wrappedUp': {
        const c = contacts.get(e.contactId) ?? {};
        contacts.set(e.contactId, c);
        if (e.type === 'contact.offered' && later(e, c.offered)) c.offered = e;
        if (e.type === 'contact.answered' && later(e, c.answered)) c.answered = e;
        if (e.type === 'contact.ended' && later(e, c.ended)) c.ended = e;
        if (e.type === 'contact.wrappedUp' && later(e, c.wrapped)) c.wrapped = e;
        break;
      }
      case 'agent.loggedIn':
      case 'agent.loggedOut':
        sessionEvents.set(e.agentId, [...(sessionEvents.get(e.agentId) ?? []), e]);
        break;
      case 'agent.directOutContact':
        directOut.set(e.agentId, [...(directOut.get(e.agentId) ?? []), at(e)]);
        break;
      default:
        break;
    }
  }

  // Sessions: a login lasts until the agent's next login or logout; an open one, forever.
  const sessions = new Map<string, { from: number; to: number }[]>();
  for (const [agentId, list] of sessionEvents) {
    const ordered = [...list].sort((a, b) => at(a) - at(b) || (a.eventId < b.eventId ? -1 : 1));
    const spans: { from: number; to: number }[] = [];
    ordered.forEach((e, i) => {
      if (e.type !== 'agent.loggedIn') return;
      const next = ordered[i + 1];
      spans.push({ from: at(e), to: next === undefined ? Number.POSITIVE_INFINITY : at(next) });
    });
    sessions.set(agentId, spans);
  }

  const agentName = (id: string): string => {
    const a = agents.get(id);
    if (a?.loginSSO !== undefined && a.loginSSO.trim() !== '') return cut(a.loginSSO.trim());
    const full = [a?.name, a?.surname].filter((p) => p !== undefined && p.trim() !== '').join(' ');
    return cut(full === '' ? id : full);
  };
  const groupName = (id: string): string => cut(groups.get(id)?.name ?? id);

  return intervals.map((interval) => {
    const start = new Date(interval.startMs).toISOString().replace('.000Z', 'Z');

    const queue = new Map<string, { offered: number; answered: number; ms: number }>();
    const q = (id: string) => {
      let v = queue.get(id);
      if (v === undefined) {
        v = { offered: 0, answered: 0, ms: 0 };
        queue.set(id, v);
      }
      return v;
    };
    const activity = new Map<string, { answered: number; completed: number; ms: number }>();
    for (const c of contacts.values()) {
      if (c.offered === undefined || c.ended?.outcome === 'BOT_CLOSED') continue;
      const groupId = c.offered.groupId;
      if (within(interval, at(c.offered))) q(groupId).offered += 1;
      if (c.ended?.outcome === 'HANDLED' && within(interval, at(c.ended))) {
        q(groupId).answered += 1;
        if (c.answered !== undefined) q(groupId).ms += Math.max(0, at(c.ended) - at(c.answered));
      }
      if (c.answered !== undefined && within(interval, at(c.answered))) {
        const key = `${c.answered.agentId}\u0000${groupId}`;
        const v = activity.get(key) ?? { answered: 0, completed: 0, ms: 0 };
        activity.set(key, v);
        v.answered += 1;
        if (c.wrapped !== undefined) v.completed += 1;
        if (c.ended !== undefined) v.ms += Math.max(0, at(c.ended) - at(c.answered));
      }
    }
    for (const [id, g] of groups) if (g.status === 'ACTIVE') q(id);
    const queueStatistics: QueueStatistics[] = [...queue]
      .filter(([id, v]) => groups.get(id)?.status === 'ACTIVE' || v.offered + v.answered + v.ms > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, v]) => ({
        intervalStartDateTime: start,
        queueId: id,
        queueName: groupName(id),
        offeredContacts: v.offered,
        answeredContacts: v.answered,
        contactTime: seconds(v.ms),
      }));

    const agentActivity: AgentActivity[] = [...activity]
      .map(([key, v]) => {
        const [agentId = '', groupId = ''] = key.split('\u0000');
        return {
          intervalStartDateTime: start,
          queueId: groupId,
          queueName: groupName(groupId),
          agentId,
          agentName: agentName(agentId),
          contactTime: seconds(v.ms),
          answeredContacts: v.answered,
          completedContacts: v.completed,
        };
      })
      .sort((a, b) =>
        a.agentId !== b.agentId ? (a.agentId < b.agentId ? -1 : 1) : a.queueId < b.queueId ? -1 : 1,
      );

    const agentLogin: AgentLogin[] = [];
    for (const agentId of new Set([...sessions.keys(), ...directOut.keys()])) {
      let ms = 0;
      for (const s of sessions.get(agentId) ?? [])
        ms += Math.max(0, Math.min(s.to, interval.endMs) - Math.max(s.from, interval.startMs));
      const outs = (directOut.get(agentId) ?? []).filter((t) => within(interval, t)).length;
      if (seconds(ms) === 0 && outs === 0) continue;
      agentLogin.push({
        intervalStartDateTime: start,
        agentId,
        agentName: agentName(agentId),
        loginTime: seconds(ms),
        directOutContacts: outs,
      });
    }
    agentLogin.sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
    return { interval, queueStatistics, agentActivity, agentLogin };
  });
}
