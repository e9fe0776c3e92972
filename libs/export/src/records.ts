import { HIST } from '@wfm-stream/core';

import { type ExportInterval, intervalName } from './intervals.js';

/**
 * The three record sets of the iService WFM integration (services/exporter/README.md,
 * "The records"), in its field names, and how they are computed from what the aggregation
 * keeps. Pure: the inputs are read from Redis by the exporter (or built from raw events
 * by a test), the outputs are what every target format converts.
 */

/** Queue statistics: one per interval and queue (group). */
export interface QueueStatistics {
  readonly intervalStartDateTime: string;
  readonly queueId: string;
  readonly queueName: string;
  /** Contacts offered in the interval, BOT_CLOSED left out. */
  readonly offeredContacts: number;
  /** Contacts that ended HANDLED in the interval. */
  readonly answeredContacts: number;
  /** Σ (ended − answered) of those, whole seconds. */
  readonly contactTime: number;
}

/** Agent activity: one per interval, agent and queue the agent answered contacts of. */
export interface AgentActivity {
  readonly intervalStartDateTime: string;
  readonly queueId: string;
  readonly queueName: string;
  readonly agentId: string;
  readonly agentName: string;
  /** Σ (ended − answered) of the contacts answered in the interval that have ended, seconds. */
  readonly contactTime: number;
  /** Contacts the agent answered in the interval. */
  readonly answeredContacts: number;
  /** Of those, the wrapped-up ones. */
  readonly completedContacts: number;
}

/** Agent login: one per interval and agent. */
export interface AgentLogin {
  readonly intervalStartDateTime: string;
  readonly agentId: string;
  readonly agentName: string;
  /** Time logged in inside the interval, seconds (at most the interval). */
  readonly loginTime: number;
  /** `agent.directOutContact` events in the interval. */
  readonly directOutContacts: number;
}

export const RECORD_SETS = ['queueStatistics', 'agentActivity', 'agentLogin'] as const;
export type RecordSet = (typeof RECORD_SETS)[number];

/** Everything one interval exports. */
export interface IntervalRecords {
  readonly interval: ExportInterval;
  readonly queueStatistics: readonly QueueStatistics[];
  readonly agentActivity: readonly AgentActivity[];
  readonly agentLogin: readonly AgentLogin[];
}

/** A group as the directory knows it. */
export interface ExportGroup {
  readonly name: string;
  /** ACTIVE groups get a queue record every interval, zeros included. */
  readonly active: boolean;
}

/** A storage bucket of a group's historic vector (HIST layout, contacts/contribution.ts). */
export interface HistoricBucket {
  readonly startMs: number;
  readonly vector: readonly number[];
}

/** A contact an agent answered. */
export interface AnsweredContact {
  readonly contactId: string;
  /** The group the contact was offered to. */
  readonly groupId: string;
  readonly answeredMs: number;
  readonly endedMs?: number | undefined;
  readonly wrapped: boolean;
}

/** A login session; an open one has `endMs` = +Infinity. */
export interface SessionSpan {
  readonly startMs: number;
  readonly endMs: number;
}

export interface RecordInputs {
  /** Groups of the directory by id. */
  readonly groups: ReadonlyMap<string, ExportGroup>;
  /** Agent display names by id (agentNameOf); agents not in it are named by their id. */
  readonly agentNames: ReadonlyMap<string, string>;
  /** Historic buckets per group; buckets must not straddle interval boundaries. */
  readonly buckets: ReadonlyMap<string, readonly HistoricBucket[]>;
  /** Contacts per answering agent. */
  readonly contacts: ReadonlyMap<string, readonly AnsweredContact[]>;
  /** Login sessions per agent, finished and open. */
  readonly sessions: ReadonlyMap<string, readonly SessionSpan[]>;
  /** Instants of direct outgoing contacts per agent. */
  readonly directOut: ReadonlyMap<string, readonly number[]>;
}

/** The iService WFM integration's string fields are 1..100 characters. */
export const MAX_TEXT = 100;

function text(value: string): string {
  return value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) : value;
}

/** Milliseconds to whole seconds, rounded half up (services/exporter/README.md). */
export function secondsHalfUp(ms: number): number {
  return Math.floor((ms + 500) / 1000);
}

/**
 * The agent's name in exports: the iService WFM integration asks for "the agent's login
 * as defined in the CC platform", so `loginSSO` when the directory has one, else the
 * agent's name (with surname), else the id.
 */
export function agentNameOf(
  agentId: string,
  entry?: { name?: string; surname?: string | undefined; loginSSO?: string | undefined },
): string {
  const login = entry?.loginSSO?.trim();
  if (login !== undefined && login !== '') return login;
  const full = [entry?.name, entry?.surname]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
  return full === '' ? agentId : full;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function inside(interval: ExportInterval, ms: number): boolean {
  return ms >= interval.startMs && ms < interval.endMs;
}

/** Length of the union of the spans, clipped to the interval. */
function coveredMs(interval: ExportInterval, spans: readonly SessionSpan[]): number {
  const clipped = spans
    .map((s) => [Math.max(s.startMs, interval.startMs), Math.min(s.endMs, interval.endMs)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const [a, b] of clipped) {
    const from = Math.max(a, reach);
    if (b > from) total += b - from;
    reach = Math.max(reach, b);
  }
  return total;
}

function queueStatistics(
  interval: ExportInterval,
  start: string,
  inputs: RecordInputs,
): QueueStatistics[] {
  const ids = new Set<string>([...inputs.groups.keys(), ...inputs.buckets.keys()]);
  const out: QueueStatistics[] = [];
  for (const groupId of ids) {
    let offered = 0;
    let answered = 0;
    let contactMs = 0;
    for (const bucket of inputs.buckets.get(groupId) ?? []) {
      if (!inside(interval, bucket.startMs)) continue;
      offered += bucket.vector[HIST.received] ?? 0;
      answered += bucket.vector[HIST.endedHandled] ?? 0;
      contactMs += bucket.vector[HIST.endedHandledContactMs] ?? 0;
    }
    const group = inputs.groups.get(groupId);
    const contactTime = secondsHalfUp(contactMs);
    if (group?.active !== true && offered === 0 && answered === 0 && contactTime === 0) continue;
    out.push({
      intervalStartDateTime: start,
      queueId: text(groupId),
      queueName: text(group?.name ?? groupId),
      offeredContacts: offered,
      answeredContacts: answered,
      contactTime,
    });
  }
  return out.sort((a, b) => compareText(a.queueId, b.queueId));
}

function agentActivity(
  interval: ExportInterval,
  start: string,
  inputs: RecordInputs,
): AgentActivity[] {
  const out: AgentActivity[] = [];
  for (const [agentId, contacts] of inputs.contacts) {
    const byGroup = new Map<string, { answered: number; completed: number; contactMs: number }>();
    for (const contact of contacts) {
      if (!inside(interval, contact.answeredMs)) continue;
      let sums = byGroup.get(contact.groupId);
      if (sums === undefined) {
        sums = { answered: 0, completed: 0, contactMs: 0 };
        byGroup.set(contact.groupId, sums);
      }
      sums.answered += 1;
      if (contact.wrapped) sums.completed += 1;
      if (contact.endedMs !== undefined)
        sums.contactMs += Math.max(0, contact.endedMs - contact.answeredMs);
    }
    for (const [groupId, sums] of byGroup) {
      out.push({
        intervalStartDateTime: start,
        queueId: text(groupId),
        queueName: text(inputs.groups.get(groupId)?.name ?? groupId),
        agentId: text(agentId),
        agentName: text(inputs.agentNames.get(agentId) ?? agentId),
        contactTime: secondsHalfUp(sums.contactMs),
        answeredContacts: sums.answered,
        completedContacts: sums.completed,
      });
    }
  }
  return out.sort((a, b) => compareText(a.agentId, b.agentId) || compareText(a.queueId, b.queueId));
}

function agentLogin(interval: ExportInterval, start: string, inputs: RecordInputs): AgentLogin[] {
  const ids = new Set<string>([...inputs.sessions.keys(), ...inputs.directOut.keys()]);
  const out: AgentLogin[] = [];
  for (const agentId of ids) {
    const loginTime = secondsHalfUp(coveredMs(interval, inputs.sessions.get(agentId) ?? []));
    const directOutContacts = (inputs.directOut.get(agentId) ?? []).filter((ms) =>
      inside(interval, ms),
    ).length;
    if (loginTime === 0 && directOutContacts === 0) continue;
    out.push({
      intervalStartDateTime: start,
      agentId: text(agentId),
      agentName: text(inputs.agentNames.get(agentId) ?? agentId),
      loginTime,
      directOutContacts,
    });
  }
  return out.sort((a, b) => compareText(a.agentId, b.agentId));
}

/**
 * The records of one interval. Queue statistics come from the group sums (offered by
 * offer time, answered and contact time by end time: services/exporter/README.md, "The
 * records", and the HIST layout); agent activity from the contacts the agent answered in
 * the interval; agent login from the sessions clipped to the interval and the direct
 * outgoing contacts in it. Durations are summed in ms, then rounded half up to whole
 * seconds.
 *
 * Which records exist: a queue record for every ACTIVE group of the directory (zeros
 * included, so a restated interval overwrites what a WFM holds) and for any other group
 * with non-zero figures; agent activity only where the agent answered something; agent
 * login only where the agent was logged in or made direct outgoing contacts.
 */
export function computeIntervalRecords(
  interval: ExportInterval,
  inputs: RecordInputs,
): IntervalRecords {
  const start = intervalName(interval);
  return {
    interval,
    queueStatistics: queueStatistics(interval, start, inputs),
    agentActivity: agentActivity(interval, start, inputs),
    agentLogin: agentLogin(interval, start, inputs),
  };
}
