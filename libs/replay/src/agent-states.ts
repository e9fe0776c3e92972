/**
 * Agent states, synthesized: the log has none, only who served which call when. Per
 * agent and local day (the `date` of the calls' rows): logged in (READY) 5 minutes before
 * the first call is answered; BUSY ("Talking", in the call's group) from each answer;
 * READY again when the agent's calls are over, unless the next call starts at or before
 * that (then still BUSY, re-stated only when the group changes); logged out 5 minutes
 * after the last call of the day ends. When a day's login would come at or before the
 * previous day's logout (a night shift across midnight), the two days are one session,
 * so an agent's events never go back in time or contradict each other.
 */

import { formatDayNumber, type TimeZone } from '@wfm-stream/core';
import type { AgentEvent } from '@wfm-stream/schemas';

import { formatLocal } from './local-time.js';
import { RANK, type TimedEvent } from './timeline.js';

/** A call an agent served, as replayed. */
export interface ServedCall {
  readonly agentId: string;
  readonly groupId: string;
  /** Answered. */
  readonly fromMs: number;
  /** Ended (not before `fromMs`). */
  readonly toMs: number;
  /** The replayed local day of the call's row (days since 1970-01-01). */
  readonly dayNumber: number;
}

/** Login before the first call, logout after the last. */
export const SESSION_MARGIN_MS = 5 * 60_000;

const READY = { stateCode: 'READY', stateName: 'Ready', category: 'AVAILABLE' } as const;
const TALKING = { stateCode: 'TALKING', stateName: 'Talking', category: 'BUSY' } as const;

/**
 * One agent's events of one session; ids `${agentId}-${yyyymmdd}-${n}`, numbered on from
 * an earlier session of the same agent and day (possible only with rows out of order).
 */
class Session {
  private readonly idPrefix: string;
  /** When the calls so far are over. */
  private busyUntil: number;
  /** The group of the current BUSY state; undefined while READY. */
  private busyGroup: string | undefined;

  constructor(
    private readonly agentId: string,
    readonly dayNumber: number,
    private readonly zone: TimeZone,
    private readonly out: TimedEvent<AgentEvent>[],
    private readonly counters: Map<string, number>,
    first: ServedCall,
  ) {
    this.idPrefix = `${agentId}-${formatDayNumber(dayNumber).replaceAll('-', '')}-`;
    this.busyUntil = first.fromMs;
    const ms = first.fromMs - SESSION_MARGIN_MS;
    this.out.push({
      ms,
      rank: RANK.loggedIn,
      event: {
        eventId: this.nextId(),
        type: 'agent.loggedIn',
        occurredAt: formatLocal(zone, ms),
        agentId,
        ...READY,
      },
    });
  }

  /** The logout this session would have if no further call joined it. */
  get logoutMs(): number {
    return this.busyUntil + SESSION_MARGIN_MS;
  }

  serve(call: ServedCall): void {
    if (this.busyGroup !== undefined && call.fromMs > this.busyUntil) this.ready();
    if (this.busyGroup !== call.groupId) {
      this.busyGroup = call.groupId;
      this.out.push({
        ms: call.fromMs,
        rank: RANK.busy,
        event: {
          eventId: this.nextId(),
          type: 'agent.stateChanged',
          occurredAt: formatLocal(this.zone, call.fromMs),
          agentId: this.agentId,
          ...TALKING,
          groupId: call.groupId,
        },
      });
    }
    this.busyUntil = Math.max(this.busyUntil, call.toMs);
  }

  close(): void {
    this.ready();
    const ms = this.logoutMs;
    this.out.push({
      ms,
      rank: RANK.loggedOut,
      event: {
        eventId: this.nextId(),
        type: 'agent.loggedOut',
        occurredAt: formatLocal(this.zone, ms),
        agentId: this.agentId,
      },
    });
  }

  private ready(): void {
    this.busyGroup = undefined;
    this.out.push({
      ms: this.busyUntil,
      rank: RANK.available,
      event: {
        eventId: this.nextId(),
        type: 'agent.stateChanged',
        occurredAt: formatLocal(this.zone, this.busyUntil),
        agentId: this.agentId,
        ...READY,
      },
    });
  }

  private nextId(): string {
    const n = (this.counters.get(this.idPrefix) ?? 0) + 1;
    this.counters.set(this.idPrefix, n);
    return `${this.idPrefix}${n}`;
  }
}

/** A call belongs to the session of its day, or to one it would otherwise overlap. */
function joins(session: Session, call: ServedCall): boolean {
  return (
    call.dayNumber === session.dayNumber || call.fromMs - SESSION_MARGIN_MS <= session.logoutMs
  );
}

/** The synthesized login, state and logout events of every agent, agent by agent. */
export function synthesizeAgentStates(
  calls: readonly ServedCall[],
  zone: TimeZone,
): TimedEvent<AgentEvent>[] {
  const byAgent = new Map<string, ServedCall[]>();
  for (const call of calls) {
    const list = byAgent.get(call.agentId);
    if (list === undefined) byAgent.set(call.agentId, [call]);
    else list.push(call);
  }
  const out: TimedEvent<AgentEvent>[] = [];
  const counters = new Map<string, number>();
  const agentIds = [...byAgent.keys()].sort();
  for (const agentId of agentIds) {
    const list = [...(byAgent.get(agentId) ?? [])].sort(
      (a, b) => a.fromMs - b.fromMs || a.toMs - b.toMs,
    );
    let session: Session | undefined;
    for (const call of list) {
      if (session === undefined || !joins(session, call)) {
        session?.close();
        session = new Session(agentId, call.dayNumber, zone, out, counters, call);
      }
      session.serve(call);
    }
    session?.close();
  }
  return out;
}
