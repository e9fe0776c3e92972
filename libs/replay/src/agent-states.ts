import { formatInstant, type TimeZone } from '@wfm-stream/core';
import type { AgentEvent } from '@wfm-stream/schemas';

/**
 * The log has no agent states, so they are synthesized from the calls each agent served,
 * clearly as an approximation: logged in 5 minutes before the first call, BUSY
 * ("Talking", in the call's group) while serving, AVAILABLE ("Ready") between calls,
 * logged out 5 minutes after the last one. A new session starts when the next call
 * comes more than 10 minutes after the last one ended and on another local day.
 */
export interface ServedCall {
  readonly agentId: string;
  readonly groupId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly localDate: string;
}

const MARGIN_MS = 5 * 60_000;

export function synthesizeAgentStates(calls: readonly ServedCall[], zone: TimeZone): AgentEvent[] {
  const byAgent = new Map<string, ServedCall[]>();
  for (const call of calls) {
    const list = byAgent.get(call.agentId);
    if (list === undefined) byAgent.set(call.agentId, [call]);
    else list.push(call);
  }
  const iso = (ms: number): string => formatInstant(ms, zone.offsetMinutesAt(ms));
  const events: AgentEvent[] = [];
  for (const [agentId, list] of [...byAgent].sort(([a], [b]) => (a < b ? -1 : 1))) {
    list.sort((a, b) => a.fromMs - b.fromMs || a.toMs - b.toMs);
    let session: { date: string; n: number } | undefined;
    let busyUntil = Number.NEGATIVE_INFINITY;
    let busyGroup: string | undefined;
    const emit = (date: string, make: (eventId: string) => AgentEvent): void => {
      if (session === undefined) return;
      session.n++;
      events.push(make(`${agentId}-${date.replaceAll('-', '')}-${session.n}`));
    };
    const close = (): void => {
      if (session === undefined) return;
      const date = session.date;
      emit(date, (eventId) => ({
        eventId,
        type: 'agent.stateChanged',
        occurredAt: iso(busyUntil),
        agentId,
        stateCode: 'READY',
        stateName: 'Ready',
        category: 'AVAILABLE',
      }));
      emit(date, (eventId) => ({
        eventId,
        type: 'agent.loggedOut',
        occurredAt: iso(busyUntil + MARGIN_MS),
        agentId,
      }));
      session = undefined;
    };
    for (const call of list) {
      const newSession =
        session === undefined ||
        (call.localDate !== session.date && call.fromMs - MARGIN_MS > busyUntil + MARGIN_MS);
      if (newSession) {
        close();
        session = { date: call.localDate, n: 0 };
        const date = call.localDate;
        emit(date, (eventId) => ({
          eventId,
          type: 'agent.loggedIn',
          occurredAt: iso(call.fromMs - MARGIN_MS),
          agentId,
          stateCode: 'READY',
          stateName: 'Ready',
          category: 'AVAILABLE',
        }));
        busyGroup = undefined;
      } else if (call.fromMs > busyUntil) {
        const date = session?.date ?? call.localDate;
        const readyAt = busyUntil;
        emit(date, (eventId) => ({
          eventId,
          type: 'agent.stateChanged',
          occurredAt: iso(readyAt),
          agentId,
          stateCode: 'READY',
          stateName: 'Ready',
          category: 'AVAILABLE',
        }));
        busyGroup = undefined;
      }
      if (busyGroup !== call.groupId || call.fromMs > busyUntil) {
        const date = session?.date ?? call.localDate;
        emit(date, (eventId) => ({
          eventId,
          type: 'agent.stateChanged',
          occurredAt: iso(call.fromMs),
          agentId,
          stateCode: 'TALKING',
          stateName: 'Talking',
          category: 'BUSY',
          groupId: call.groupId,
        }));
        busyGroup = call.groupId;
      }
      busyUntil = Math.max(busyUntil, call.toMs);
    }
    close();
  }
  return events;
}
