/**
 * Agent states, synthesized: the log has none, only who served which call when. Per
 * agent and local day (the `date` of the calls' rows): logged in 5 minutes before the
 * first call is answered; BUSY ("Talking", in the call's group) from each answer; idle
 * when the agent's calls are over, unless the next call starts at or before that (then
 * still BUSY, re-stated only when the group changes); logged out 5 minutes after the
 * last call of the day ends. Idle is READY, except while a contact of one of the agent's
 * groups waits: the agent did not take it, so it was not ready — in wrap-up right after
 * a call, else "Not ready" (a READY moment shorter than `MIN_READY_MS` between two such
 * spans is not ready too). When a day's login would come at or before the previous day's
 * logout (a night shift across midnight), the two days are one session, so an agent's
 * events never go back in time or contradict each other.
 */

import { formatDayNumber, type TimeZone } from '@wfm-stream/core';
import type { AgentEvent } from '@wfm-stream/schemas';

import { formatLocal } from './local-time.js';
import { RANK, type TimedEvent } from './timeline.js';
import type { Span } from './waiting.js';

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

/** A READY moment shorter than this between two spans of waiting contacts is not ready too. */
export const MIN_READY_MS = 30_000;

const READY = { stateCode: 'READY', stateName: 'Ready', category: 'AVAILABLE' } as const;
const TALKING = { stateCode: 'TALKING', stateName: 'Talking', category: 'BUSY' } as const;
const WRAP_UP = {
  stateCode: 'WRAPUP',
  stateName: 'Wrap-up',
  category: 'AFTER_CONTACT_WORK',
} as const;
const NOT_READY = {
  stateCode: 'NOT_READY',
  stateName: 'Not ready',
  category: 'NOT_READY',
} as const;

type IdleState = typeof READY | typeof WRAP_UP | typeof NOT_READY;

/**
 * The states of an idle span [fromMs, toMs): READY where no contact of the agent's
 * groups waits (`waits`, sorted and disjoint), not ready where one does — wrap-up when
 * that starts the span right after a call. Each piece with its start, in order.
 */
export function idleStates(
  fromMs: number,
  toMs: number,
  waits: readonly Span[],
  afterCall: boolean,
): { ms: number; state: IdleState }[] {
  // pieces: [start, end, waiting]
  const pieces: [number, number, boolean][] = [];
  let t = fromMs;
  // the first wait that ends after fromMs (binary search: waits are sorted and disjoint)
  let low = 0;
  let high = waits.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((waits[mid]?.toMs ?? Number.POSITIVE_INFINITY) <= fromMs) low = mid + 1;
    else high = mid;
  }
  for (let i = low; i < waits.length; i++) {
    const w = waits[i];
    if (w === undefined || w.fromMs >= toMs) break;
    if (w.fromMs > t) pieces.push([t, w.fromMs, false]);
    const end = Math.min(w.toMs, toMs);
    pieces.push([Math.max(w.fromMs, t), end, true]);
    t = end;
  }
  if (t < toMs || pieces.length === 0) pieces.push([t, Math.max(t, toMs), false]);
  // a short READY moment between two waits is not ready either; then join equal neighbours
  const merged: [number, number, boolean][] = [];
  pieces.forEach(([from, to, waiting], i) => {
    const between = i > 0 && i < pieces.length - 1;
    const busy = waiting || (between && to - from < MIN_READY_MS);
    const last = merged.at(-1);
    if (last?.[2] === busy) last[1] = to;
    else merged.push([from, to, busy]);
  });
  return merged.map(([ms, , waiting], i) => ({
    ms,
    state: !waiting ? READY : i === 0 && afterCall ? WRAP_UP : NOT_READY,
  }));
}

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
    private readonly waits: readonly Span[],
    first: ServedCall,
  ) {
    this.idPrefix = `${agentId}-${formatDayNumber(dayNumber).replaceAll('-', '')}-`;
    this.busyUntil = first.fromMs;
    const ms = first.fromMs - SESSION_MARGIN_MS;
    const [initial, ...later] = idleStates(ms, first.fromMs, waits, false);
    this.out.push({
      ms,
      rank: RANK.loggedIn,
      event: {
        eventId: this.nextId(),
        type: 'agent.loggedIn',
        occurredAt: formatLocal(zone, ms),
        agentId,
        ...(initial?.state ?? READY),
      },
    });
    for (const piece of later) this.state(piece.ms, piece.state);
  }

  /** The logout this session would have if no further call joined it. */
  get logoutMs(): number {
    return this.busyUntil + SESSION_MARGIN_MS;
  }

  serve(call: ServedCall): void {
    if (this.busyGroup !== undefined && call.fromMs > this.busyUntil) this.idle(call.fromMs);
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
    const ms = this.logoutMs;
    this.idle(ms);
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

  /** Idle from the end of the calls until `untilMs`. */
  private idle(untilMs: number): void {
    this.busyGroup = undefined;
    for (const piece of idleStates(this.busyUntil, untilMs, this.waits, true))
      this.state(piece.ms, piece.state);
  }

  private state(ms: number, state: IdleState): void {
    this.out.push({
      ms,
      rank: RANK.available,
      event: {
        eventId: this.nextId(),
        type: 'agent.stateChanged',
        occurredAt: formatLocal(this.zone, ms),
        agentId: this.agentId,
        ...state,
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

/**
 * The synthesized login, state and logout events of every agent, agent by agent.
 * `waits`: per agent, when a contact of one of its groups waited (sorted, disjoint).
 */
export function synthesizeAgentStates(
  calls: readonly ServedCall[],
  zone: TimeZone,
  waits: ReadonlyMap<string, readonly Span[]> = new Map(),
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
        session = new Session(
          agentId,
          call.dayNumber,
          zone,
          out,
          counters,
          waits.get(agentId) ?? [],
          call,
        );
      }
      session.serve(call);
    }
    session?.close();
  }
  return out;
}
