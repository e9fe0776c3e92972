/**
 * The call log of "Anonymous Bank" (February 1999): one tab-separated row per call with a
 * header. Parsing only: every row becomes a typed record or a CallLogError naming its
 * line. Clock times stay local (Israel) wall time, as seconds after the row's midnight;
 * a stage that reads earlier than the one before it by more than half a day crossed
 * midnight and gets a day added.
 */

export type CallOutcome = 'AGENT' | 'HANG' | 'PHANTOM';

export interface CallRecord {
  /** 1-based line in the file (the header is line 1). */
  readonly line: number;
  /** `vru+line` and `call_id`: unique in the file. */
  readonly contactId: string;
  /** Absent when the file says 0 (an unidentified caller). */
  readonly customerId?: string | undefined;
  readonly priority: number;
  /** The service type (PS, PE, IN, NE, NW, TT): the group. */
  readonly groupId: string;
  /** The local date the call started, `YYYY-MM-DD`. */
  readonly localDate: string;
  /** Seconds after the local midnight of `localDate`; undefined where the file says none. */
  readonly vruEntry: number;
  readonly vruExit: number;
  readonly queueStart?: number | undefined;
  readonly queueExit?: number | undefined;
  readonly outcome: CallOutcome;
  readonly serviceStart?: number | undefined;
  readonly serviceExit?: number | undefined;
  /** The agent's name, undefined for NO_SERVER. */
  readonly server?: string | undefined;
}

export class CallLogError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CallLogError';
  }
}

const COLUMNS = [
  'vru+line',
  'call_id',
  'customer_id',
  'priority',
  'type',
  'date',
  'vru_entry',
  'vru_exit',
  'vru_time',
  'q_start',
  'q_exit',
  'q_time',
  'outcome',
  'ser_start',
  'ser_exit',
  'ser_time',
  'server',
] as const;

const HALF_DAY = 43_200;
const DAY = 86_400;

function clock(text: string, line: number, column: string): number {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new CallLogError(line, `${column} is not a h:mm:ss time: "${text}"`);
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || mi > 59 || s > 59)
    throw new CallLogError(line, `${column} is not a time of day: "${text}"`);
  return h * 3_600 + mi * 60 + s;
}

function date(text: string, line: number): string {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) throw new CallLogError(line, `date is not yymmdd: "${text}"`);
  const year = 1900 + Number(m[1]) + (Number(m[1]) < 50 ? 100 : 0);
  const iso = `${year}-${m[2]}-${m[3]}`;
  if (Number.isNaN(Date.parse(`${iso}T00:00:00Z`)))
    throw new CallLogError(line, `date is not a calendar date: "${text}"`);
  return iso;
}

export function parseCallLog(text: string): CallRecord[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split('\t');
  const index = new Map(header.map((name, i) => [name.trim(), i]));
  for (const column of COLUMNS) {
    if (!index.has(column)) throw new CallLogError(1, `the header lacks column ${column}`);
  }
  const records: CallRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const line = i + 1;
    const cells = raw.split('\t');
    const cell = (column: (typeof COLUMNS)[number]): string => {
      const value = cells[index.get(column) ?? -1];
      if (value === undefined) throw new CallLogError(line, `missing column ${column}`);
      return value.trim();
    };
    const outcome = cell('outcome');
    if (outcome !== 'AGENT' && outcome !== 'HANG' && outcome !== 'PHANTOM') {
      throw new CallLogError(line, `outcome is not AGENT, HANG or PHANTOM: "${outcome}"`);
    }
    // Stages in order; a stage more than half a day earlier than the last one crossed midnight.
    let last = clock(cell('vru_entry'), line, 'vru_entry');
    let dayOffset = 0;
    const stage = (column: (typeof COLUMNS)[number], optional: boolean): number | undefined => {
      const text = cell(column);
      if (optional && text === '0:00:00') return undefined;
      let t = clock(text, line, column) + dayOffset;
      if (t < last - HALF_DAY) {
        dayOffset += DAY;
        t += DAY;
      }
      last = Math.max(last, t);
      return t;
    };
    const vruEntry = last;
    const vruExit = stage('vru_exit', false) ?? vruEntry;
    const queueStart = stage('q_start', true);
    const queueExit = queueStart === undefined ? undefined : stage('q_exit', true);
    const serviceStart = stage('ser_start', true);
    const serviceExit = serviceStart === undefined ? undefined : stage('ser_exit', true);
    const customer = cell('customer_id');
    const server = cell('server');
    const priority = Number(cell('priority'));
    if (!Number.isInteger(priority))
      throw new CallLogError(line, `priority is not a number: "${cell('priority')}"`);
    const groupId = cell('type');
    if (groupId === '') throw new CallLogError(line, 'type is empty');
    records.push({
      line,
      contactId: `${cell('vru+line')}-${cell('call_id')}`,
      customerId: customer === '0' || customer === '' ? undefined : customer,
      priority,
      groupId,
      localDate: date(cell('date'), line),
      vruEntry,
      vruExit,
      queueStart,
      queueExit,
      outcome,
      serviceStart,
      serviceExit,
      server: server === 'NO_SERVER' || server === '' ? undefined : server,
    });
  }
  return records;
}
