import { parseOffsetInstant, type WfmEvent } from '@wfm-stream/schemas';

import type { PlannedShift } from './schedule.js';

/**
 * What a plausible contact center never does, checked over an event stream: a pure
 * function of the events (and the roster they were meant to follow), for the simulator,
 * the replay and their tests. The invariants are listed in the package's README.
 */
export type Invariant =
  /** Logins and logouts alternate; an agent acts only while logged in, and logs out with nothing in hand. */
  | 'session'
  /** Logged in only during a planned shift, out by its end plus the grace; present for every shift; no direct-out work after it. */
  | 'shift'
  /** No contact waits while an agent of its group is READY with room for it. */
  | 'routing'
  /** No agent has more contacts in hand than its channel allows, nor one outside its skills. */
  | 'capacity'
  /** Every planned break is taken, not before it is due and not too late, lasts as planned and ends; no other break. */
  | 'break'
  /** No contact is offered to a group while it is closed. */
  | 'closed';

export interface Violation {
  readonly invariant: Invariant;
  /** ISO instant. */
  readonly at: string;
  readonly agentId?: string;
  readonly contactId?: string;
  readonly message: string;
}

export interface CenterRules {
  /** Contacts one agent handles at once, per channel. */
  readonly capacity: { readonly calls: number; readonly chats: number };
  /** How long after its shift's end an agent may still be logged in. */
  readonly logoutGraceMs: number;
  /** How long after it is due a planned break may start. */
  readonly breakStartToleranceMs: number;
  /**
   * How long after its offer a contact's fate shows in the stream at the latest: its
   * answer after the longest ring, or a bot closing it. A contact offered this close to
   * the window's end without an answer or an end in it may be ringing or with a bot, so
   * it does not count as waiting.
   */
  readonly fateShownWithinMs: number;
  /** Whether the group takes contacts at the instant; unset: always. */
  readonly isOpen?: (ms: number, groupId: string) => boolean;
}

export interface CenterRecord {
  /** The directory: agents' skills, groups' channels. */
  readonly directory: readonly WfmEvent[];
  /** The events, in time order. */
  readonly events: readonly WfmEvent[];
  /** The span the events cover: from the first instant the source produced, to where it stopped. */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** The roster the agents follow; without it the shift and break invariants are not checked. */
  readonly shifts?: readonly PlannedShift[];
  readonly rules: CenterRules;
  /** Stop after this many violations (default 200). */
  readonly maxViolations?: number;
}

type Channel = 'calls' | 'chats';

interface ContactInfo {
  readonly groupId: string;
  readonly channel: Channel;
  /** Leaves the queue for an agent (known or not) at this instant. */
  assignedMs?: number;
  owner?: string;
  endedMs?: number;
  botClosed: boolean;
}

interface AgentInfo {
  loggedIn: boolean;
  loginMs: number;
  category: string;
  shift?: PlannedShift | undefined;
  readonly inHand: Set<string>;
  /** The BREAK in progress: its reason, start, and the planned break it matched. */
  onBreak?: { code: string; startMs: number; planKey?: string | undefined } | undefined;
}

/** A change at an instant: an event, or a contact leaving its queue (assigned). */
type Change = { ms: number; seq: number } & (
  { kind: 'event'; event: WfmEvent } | { kind: 'assign'; contactId: string }
);

const msOf = (e: WfmEvent): number => parseOffsetInstant(e.occurredAt)?.ms ?? Number.NaN;

const iso = (ms: number): string => new Date(ms).toISOString();

const planKey = (shift: PlannedShift, index: number): string =>
  `${shift.agentId}/${shift.startMs}/${index}`;

/** Every violation of the invariants in the record, in time order (at most `maxViolations`). */
export function checkCenter(record: CenterRecord): Violation[] {
  const { rules, windowStartMs, windowEndMs } = record;
  const limit = record.maxViolations ?? 200;
  const violations: Violation[] = [];
  const report = (v: Violation): void => {
    if (violations.length < limit) violations.push(v);
  };
  /** A violation by the agent of the event, at the event's time. */
  const reportAgent = (
    invariant: Invariant,
    e: { readonly occurredAt: string; readonly agentId: string },
    message: string,
  ): void => {
    report({ invariant, at: e.occurredAt, agentId: e.agentId, message });
  };

  // ---- the directory ----
  const skills = new Map<string, ReadonlySet<string>>();
  const channelOfGroup = new Map<string, Channel>();
  for (const e of record.directory) {
    if (e.type === 'agent.upserted') skills.set(e.agentId, new Set(e.groupIds));
    if (e.type === 'group.upserted')
      channelOfGroup.set(e.groupId, e.channelType === 'CHATS' ? 'chats' : 'calls');
  }
  const agentsOfGroup = new Map<string, string[]>();
  for (const [agentId, groups] of skills)
    for (const g of groups) agentsOfGroup.set(g, [...(agentsOfGroup.get(g) ?? []), agentId]);

  // ---- when each contact leaves its queue ----
  const contacts = new Map<string, ContactInfo>();
  for (const e of record.events) {
    if (e.type === 'contact.offered') {
      contacts.set(e.contactId, {
        groupId: e.groupId,
        channel: e.channel === 'CHATS' ? 'chats' : 'calls',
        botClosed: false,
      });
    } else if (e.type === 'contact.answered') {
      const c = contacts.get(e.contactId);
      if (c !== undefined && c.assignedMs === undefined) {
        c.assignedMs = msOf(e) - (e.ringMs ?? 0);
        c.owner = e.agentId;
      }
    } else if (e.type === 'contact.ended') {
      const c = contacts.get(e.contactId);
      if (c === undefined) continue;
      c.endedMs = msOf(e);
      c.botClosed = e.outcome === 'BOT_CLOSED';
      // served by an agent the stream does not name: it left the queue when the talk began
      if (c.assignedMs === undefined && (e.outcome === 'HANDLED' || e.outcome === 'TRANSFERRED'))
        c.assignedMs = c.endedMs - (e.talkMs ?? 0) - (e.holdMs ?? 0);
    }
  }

  const changes: Change[] = [];
  let seq = 0;
  for (const event of record.events)
    changes.push({ ms: msOf(event), seq: seq++, kind: 'event', event });
  for (const [contactId, c] of contacts) {
    // an assignment comes before the events of its instant
    if (c.assignedMs !== undefined)
      changes.push({ ms: c.assignedMs, seq: -1, kind: 'assign', contactId });
  }
  changes.sort((a, b) => a.ms - b.ms || a.seq - b.seq);

  // ---- the roster ----
  const shiftsOf = new Map<string, PlannedShift[]>();
  const plannedBreaks = new Map<string, { shift: PlannedShift; index: number }>();
  for (const shift of record.shifts ?? []) {
    shiftsOf.set(shift.agentId, [...(shiftsOf.get(shift.agentId) ?? []), shift]);
    shift.breaks.forEach((_, index) => plannedBreaks.set(planKey(shift, index), { shift, index }));
  }
  const checkShifts = record.shifts !== undefined;
  const takenBreaks = new Map<string, number>();
  const shiftsWorked = new Set<PlannedShift>();
  const shiftAt = (agentId: string, ms: number): PlannedShift | undefined =>
    shiftsOf.get(agentId)?.find((s) => Math.max(s.startMs, windowStartMs) <= ms && ms < s.endMs);

  const agents = new Map<string, AgentInfo>();
  const agentOf = (agentId: string): AgentInfo => {
    let a = agents.get(agentId);
    if (a === undefined) {
      a = { loggedIn: false, loginMs: 0, category: 'OFFLINE', inHand: new Set() };
      agents.set(agentId, a);
    }
    return a;
  };
  const waiting = new Map<string, Set<string>>();
  const reportedWaits = new Set<string>();
  /** Agents given a contact at the current instant (checked for capacity once it is over). */
  const assignedNow = new Map<string, { contactId: string; channel: Channel }>();

  const endBreak = (agentId: string, a: AgentInfo, ms: number): void => {
    const b = a.onBreak;
    if (b === undefined) return;
    a.onBreak = undefined;
    const planned = b.planKey === undefined ? undefined : plannedBreaks.get(b.planKey);
    if (planned === undefined) return;
    const plan = planned.shift.breaks[planned.index];
    if (plan === undefined) return;
    const expected = Math.min(b.startMs + plan.durationMs, planned.shift.endMs);
    if (ms !== expected)
      report({
        invariant: 'break',
        at: iso(ms),
        agentId,
        message: `${b.code} break from ${iso(b.startMs)} ends at ${iso(ms)}, not after its ${plan.durationMs / 60_000} minutes (${iso(expected)})`,
      });
  };

  const apply = (change: Change): void => {
    if (change.kind === 'assign') {
      const c = contacts.get(change.contactId);
      if (c === undefined) return;
      waiting.get(c.groupId)?.delete(change.contactId);
      if (c.owner === undefined) return;
      const a = agentOf(c.owner);
      a.inHand.add(change.contactId);
      assignedNow.set(c.owner, { contactId: change.contactId, channel: c.channel });
      if (!(skills.get(c.owner)?.has(c.groupId) ?? false))
        report({
          invariant: 'capacity',
          at: iso(change.ms),
          agentId: c.owner,
          contactId: change.contactId,
          message: `takes a contact of ${c.groupId}, not one of its groups`,
        });
      return;
    }
    const e = change.event;
    const ms = change.ms;
    switch (e.type) {
      case 'contact.offered': {
        if (rules.isOpen !== undefined && !rules.isOpen(ms, e.groupId))
          report({
            invariant: 'closed',
            at: e.occurredAt,
            contactId: e.contactId,
            message: `offered to ${e.groupId} while it is closed`,
          });
        const c = contacts.get(e.contactId);
        // a contact a bot closes is never queued for an agent
        const unknownFate =
          c?.assignedMs === undefined &&
          c?.endedMs === undefined &&
          ms >= windowEndMs - rules.fateShownWithinMs;
        if (
          c !== undefined &&
          !c.botClosed &&
          !unknownFate &&
          (c.assignedMs === undefined || c.assignedMs > ms)
        ) {
          const set = waiting.get(e.groupId) ?? new Set<string>();
          set.add(e.contactId);
          waiting.set(e.groupId, set);
        }
        return;
      }
      case 'contact.ended': {
        const c = contacts.get(e.contactId);
        if (c === undefined) return;
        waiting.get(c.groupId)?.delete(e.contactId);
        if (c.owner !== undefined) agentOf(c.owner).inHand.delete(e.contactId);
        return;
      }
      case 'agent.loggedIn': {
        const a = agentOf(e.agentId);
        if (a.loggedIn) {
          reportAgent('session', e, 'logs in while logged in');
          return;
        }
        a.loggedIn = true;
        a.loginMs = ms;
        a.category = e.category ?? 'NOT_READY'; // a login without a state is NOT_READY
        a.shift = undefined;
        if (checkShifts) {
          a.shift = shiftAt(e.agentId, ms);
          if (a.shift === undefined) reportAgent('shift', e, 'logs in outside its shifts');
          else shiftsWorked.add(a.shift);
        }
        return;
      }
      case 'agent.loggedOut': {
        const a = agentOf(e.agentId);
        if (!a.loggedIn) {
          reportAgent('session', e, 'logs out while logged out');
          return;
        }
        endBreak(e.agentId, a, ms);
        if (a.inHand.size > 0)
          reportAgent('session', e, `logs out with ${[...a.inHand].join(', ')} in hand`);
        if (a.shift !== undefined && ms > a.shift.endMs + rules.logoutGraceMs)
          reportAgent(
            'shift',
            e,
            `logs out ${Math.round((ms - a.shift.endMs) / 60_000)} minutes after its shift ended at ${iso(a.shift.endMs)}`,
          );
        a.loggedIn = false;
        a.category = 'OFFLINE';
        return;
      }
      case 'agent.stateChanged': {
        const a = agentOf(e.agentId);
        if (!a.loggedIn) {
          reportAgent('session', e, `is ${e.stateCode} while logged out`);
          return;
        }
        endBreak(e.agentId, a, ms);
        a.category = e.category;
        if (e.stateCode === 'BREAK') {
          const code = e.reasonCode ?? '';
          let matched: string | undefined;
          if (checkShifts && a.shift !== undefined) {
            const shift = a.shift;
            // the first break of that kind due since the login and not taken yet
            const index = shift.breaks.findIndex(
              (b, i) =>
                b.code === code &&
                b.dueMs >= a.loginMs &&
                b.dueMs <= ms &&
                !takenBreaks.has(planKey(shift, i)),
            );
            if (index >= 0) {
              matched = planKey(shift, index);
              takenBreaks.set(matched, ms);
            } else {
              reportAgent('break', e, `a ${code} break that is not due`);
            }
          }
          a.onBreak = { code, startMs: ms, planKey: matched };
        }
        return;
      }
      case 'agent.directOutContact': {
        const a = agentOf(e.agentId);
        if (!a.loggedIn) reportAgent('session', e, 'direct-out work while logged out');
        else if (a.shift !== undefined && ms >= a.shift.endMs)
          reportAgent('shift', e, `direct-out work after its shift ended at ${iso(a.shift.endMs)}`);
        return;
      }
      case 'contact.answered': {
        if (!agentOf(e.agentId).loggedIn)
          report({
            invariant: 'session',
            at: e.occurredAt,
            agentId: e.agentId,
            contactId: e.contactId,
            message: 'answers while logged out',
          });
        return;
      }
      default:
        return;
    }
  };

  /** After all changes of an instant: no agent with more in hand than its channel allows. */
  const checkCapacity = (ms: number): void => {
    for (const [agentId, { contactId, channel }] of assignedNow) {
      const inHand = agents.get(agentId)?.inHand.size ?? 0;
      const capacity = rules.capacity[channel];
      if (inHand > capacity)
        report({
          invariant: 'capacity',
          at: iso(ms),
          agentId,
          contactId,
          message: `${inHand} ${channel} in hand, more than ${capacity}`,
        });
    }
    assignedNow.clear();
  };

  /** After all changes of an instant: a waiting contact with a READY agent of its group that has room. */
  const checkRouting = (ms: number): void => {
    for (const [groupId, set] of waiting) {
      if (set.size === 0) continue;
      const channel = channelOfGroup.get(groupId) ?? 'calls';
      for (const agentId of agentsOfGroup.get(groupId) ?? []) {
        const a = agents.get(agentId);
        if (a?.loggedIn !== true || a.category !== 'AVAILABLE') continue;
        if (a.inHand.size >= rules.capacity[channel]) continue;
        const contactId = set.values().next().value;
        if (contactId === undefined || reportedWaits.has(contactId)) continue;
        reportedWaits.add(contactId);
        report({
          invariant: 'routing',
          at: iso(ms),
          agentId,
          contactId,
          message: `waits in ${groupId} while ${agentId} is READY`,
        });
      }
    }
  };

  for (let i = 0; i < changes.length;) {
    const ms = changes[i]?.ms ?? 0;
    while (i < changes.length && changes[i]?.ms === ms) {
      const change = changes[i];
      if (change !== undefined) apply(change);
      i++;
    }
    checkCapacity(ms);
    checkRouting(ms);
  }

  // ---- at the end of the window ----
  for (const [agentId, a] of agents) {
    const b = a.onBreak;
    const planned = b?.planKey === undefined ? undefined : plannedBreaks.get(b.planKey);
    const plan = planned?.shift.breaks[planned.index];
    if (b !== undefined && plan !== undefined && windowEndMs > b.startMs + plan.durationMs)
      report({
        invariant: 'break',
        at: iso(windowEndMs),
        agentId,
        message: `the ${b.code} break from ${iso(b.startMs)} has not ended`,
      });
  }
  if (checkShifts) {
    for (const [agentId, a] of agents) {
      if (a.loggedIn && a.shift !== undefined && windowEndMs > a.shift.endMs + rules.logoutGraceMs)
        report({
          invariant: 'shift',
          at: iso(windowEndMs),
          agentId,
          message: `still logged in ${Math.round((windowEndMs - a.shift.endMs) / 60_000)} minutes after its shift ended at ${iso(a.shift.endMs)}`,
        });
    }
    for (const shift of record.shifts ?? []) {
      const loginMs = Math.max(shift.startMs, windowStartMs);
      if (loginMs < shift.endMs && loginMs < windowEndMs && !shiftsWorked.has(shift))
        report({
          invariant: 'shift',
          at: iso(loginMs),
          agentId: shift.agentId,
          message: 'does not show up for its shift',
        });
      if (!shiftsWorked.has(shift)) continue;
      shift.breaks.forEach((b, index) => {
        const taken = takenBreaks.get(planKey(shift, index));
        if (b.dueMs < loginMs || b.dueMs + rules.breakStartToleranceMs + b.durationMs > windowEndMs)
          return; // due before the agent was there, or not over within the window
        if (taken === undefined)
          report({
            invariant: 'break',
            at: iso(b.dueMs),
            agentId: shift.agentId,
            message: `the ${b.code} break due then is not taken`,
          });
        else if (taken > b.dueMs + rules.breakStartToleranceMs)
          report({
            invariant: 'break',
            at: iso(taken),
            agentId: shift.agentId,
            message: `the ${b.code} break due at ${iso(b.dueMs)} starts ${Math.round((taken - b.dueMs) / 60_000)} minutes late`,
          });
      });
    }
  }
  return violations;
}
