/**
 * Test helpers, not a suite (only `*.unit.spec.ts` files run): call-log rows written the
 * way the bundled file writes them, and small readers of a plan's events.
 */

import { parseOffsetInstant, type WfmEvent } from '@wfm-stream/schemas';

export const HEADER =
  'vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver';

const COLUMNS = HEADER.split('\t');

const DEFAULTS: Readonly<Record<string, string>> = {
  'vru+line': 'AA0101',
  call_id: '1',
  customer_id: '0',
  priority: '0',
  type: 'PS',
  date: '990201',
  vru_entry: '10:00:00',
  vru_exit: '10:00:10',
  vru_time: '10',
  q_start: '0:00:00',
  q_exit: '0:00:00',
  q_time: '0',
  outcome: 'AGENT',
  ser_start: '0:00:00',
  ser_exit: '0:00:00',
  ser_time: '0',
  server: 'NO_SERVER',
};

/** One row: the given columns, the rest from a plain served-by-nobody call. */
export function row(fields: Readonly<Record<string, string>> = {}): string {
  return COLUMNS.map((column) => fields[column] ?? DEFAULTS[column] ?? '').join('\t');
}

/** A log text: the header, then the rows. */
/** The times of a call TOVA served across midnight: queued 23:59, served 0:01:29–0:05. */
export const ACROSS_MIDNIGHT: Readonly<Record<string, string>> = {
  vru_entry: '23:58:00',
  vru_exit: '23:59:00',
  q_start: '23:59:00',
  q_exit: '0:01:30',
  ser_start: '0:01:29',
  ser_exit: '0:05:00',
  server: 'TOVA',
};

export function log(...rows: string[]): string {
  return [HEADER, ...rows].join('\n');
}

/** `h:mm:ss` of seconds after midnight (wrapping at 24 h), as the log writes it. */
export function clock(seconds: number): string {
  const s = ((seconds % 86_400) + 86_400) % 86_400;
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${Math.floor(s / 3_600)}:${mm}:${ss}`;
}

/** The instant of an event, epoch ms. */
export function instant(event: WfmEvent): number {
  const parsed = parseOffsetInstant(event.occurredAt);
  if (parsed === undefined) throw new Error(`not an instant: ${event.occurredAt}`);
  return parsed.ms;
}

/** Events grouped by a key, each group in its original order. */
export function groupBy<K>(events: readonly WfmEvent[], key: (e: WfmEvent) => K | undefined) {
  const groups = new Map<K, WfmEvent[]>();
  for (const event of events) {
    const k = key(event);
    if (k === undefined) continue;
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [event]);
    else list.push(event);
  }
  return groups;
}

export const contactIdOf = (e: WfmEvent): string | undefined =>
  'contactId' in e ? e.contactId : undefined;

export const agentIdOf = (e: WfmEvent): string | undefined =>
  e.type.startsWith('agent.') && 'agentId' in e ? e.agentId : undefined;
