/**
 * The call log of "Anonymous Bank", February 1999 (see data/README.md): one
 * tab-separated row per call under a header. Parsing only — every row becomes a typed
 * CallRecord, or a CallLogError naming its line. Clock times are Israel wall time on the
 * row's `date`; they run forward within a row, so a stage that reads more than half a day
 * earlier than the latest stage before it crossed midnight and gets a day added (a stage
 * a few seconds or minutes earlier is the log's own jitter, left as it is). Times are
 * turned into instants (epoch ms) in the log's zone.
 */

import type { TimeZone } from '@wfm-stream/core';

import { callLogZone, dayNumberOf, instantOfWall } from './local-time.js';

export const CALL_OUTCOMES = ['AGENT', 'HANG', 'PHANTOM'] as const;
/** `AGENT` served, `HANG` the caller hung up, `PHANTOM` a ghost call. */
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const CALL_TYPES = ['PS', 'PE', 'IN', 'NE', 'NW', 'TT'] as const;
/** The service type of a call: its group. */
export type CallType = (typeof CALL_TYPES)[number];

/** `server` of a call no agent the log names served. */
export const NO_SERVER = 'NO_SERVER';

/** One row of the log. Times are instants (epoch ms), undefined where the log says none. */
export interface CallRecord {
  /** 1-based line in the text (the header is line 1). */
  readonly line: number;
  /** `vru+line`: the voice response unit and line the call came in on. */
  readonly vruLine: string;
  readonly callId: string;
  /** `${vruLine}-${callId}`: unique in the log. */
  readonly contactId: string;
  /** The caller's customer id; absent when the log says 0 (not identified). */
  readonly customerId?: string;
  /** 0/1 regular, 2 priority customer. */
  readonly priority: number;
  /** The `type` column: the group the call is for. */
  readonly groupId: CallType;
  /** The `date` column, the local (Israel) day the call started: `YYYY-MM-DD`. */
  readonly localDate: string;
  readonly vruEntryMs: number;
  readonly vruExitMs: number;
  readonly queueStartMs?: number;
  readonly queueExitMs?: number;
  readonly outcome: CallOutcome;
  readonly serviceStartMs?: number;
  readonly serviceExitMs?: number;
  /** The agent's name as written, or `NO_SERVER`. */
  readonly server: string;
}

/** A malformed row (or header): its 1-based line and the reason. */
export class CallLogError extends Error {
  readonly line: number;

  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'CallLogError';
    this.line = line;
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
type Column = (typeof COLUMNS)[number];

const NONE = '0:00:00';
const SECOND_MS = 1_000;
const HALF_DAY_MS = 43_200_000;
const DAY_MS = 86_400_000;
const CLOCK = /^(\d{1,2}):([0-5]\d):([0-5]\d)$/;
const YYMMDD = /^(\d{2})(\d{2})(\d{2})$/;

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

/** Seconds after midnight of an `h:mm:ss` clock time. */
function clockSeconds(text: string, line: number, column: Column): number {
  const m = CLOCK.exec(text);
  const hours = Number(m?.[1]);
  if (!m || hours > 23) throw new CallLogError(line, `${column} is not a time h:mm:ss: "${text}"`);
  return hours * 3_600 + Number(m[2]) * 60 + Number(m[3]);
}

/** `YYYY-MM-DD` of a `yymmdd` date (yy below 50 is 20yy). */
function isoDate(text: string, line: number): string {
  const m = YYMMDD.exec(text);
  if (m) {
    const yy = Number(m[1]);
    const iso = `${yy < 50 ? 2000 + yy : 1900 + yy}-${m[2] ?? ''}-${m[3] ?? ''}`;
    try {
      dayNumberOf(iso);
      return iso;
    } catch {
      // reported below
    }
  }
  throw new CallLogError(line, `date is not a yymmdd date: "${text}"`);
}

/** Column name → index in a row, from the header; throws when a column is missing. */
function readHeader(header: string): ReadonlyMap<Column, number> {
  const names = header.replace(/^\uFEFF/, '').split('\t');
  const index = new Map<Column, number>();
  names.forEach((name, i) => {
    const trimmed = name.trim();
    if (isOneOf(COLUMNS, trimmed) && !index.has(trimmed)) index.set(trimmed, i);
  });
  for (const column of COLUMNS) {
    if (!index.has(column)) throw new CallLogError(1, `the header has no column ${column}`);
  }
  return index;
}

/** The cells of one row, by column name. */
class Row {
  constructor(
    private readonly cells: readonly string[],
    private readonly index: ReadonlyMap<Column, number>,
    readonly line: number,
  ) {}

  text(column: Column): string {
    const value = this.cells[this.index.get(column) ?? -1];
    if (value === undefined) throw new CallLogError(this.line, `missing column ${column}`);
    return value.trim();
  }

  nonEmpty(column: Column): string {
    const value = this.text(column);
    if (value === '') throw new CallLogError(this.line, `${column} is empty`);
    return value;
  }
}

/**
 * The stages of one row as instants, read in column order: a clock time more than half a
 * day earlier than the latest one before it is on the next day.
 */
class Stages {
  private latestWall = Number.NEGATIVE_INFINITY;
  private daysAdded = 0;

  constructor(
    private readonly row: Row,
    private readonly midnightWall: number,
    private readonly zone: TimeZone,
  ) {}

  required(column: Column): number {
    const seconds = clockSeconds(this.row.text(column), this.row.line, column);
    let wall = this.midnightWall + this.daysAdded * DAY_MS + seconds * SECOND_MS;
    if (wall < this.latestWall - HALF_DAY_MS) {
      this.daysAdded++;
      wall += DAY_MS;
    }
    this.latestWall = Math.max(this.latestWall, wall);
    return instantOfWall(this.zone, wall);
  }

  /** Undefined for `0:00:00`: the call never reached the stage. */
  optional(column: Column): number | undefined {
    return this.row.text(column) === NONE ? undefined : this.required(column);
  }
}

function parseRow(row: Row, cellCount: number, columnCount: number, zone: TimeZone): CallRecord {
  const { line } = row;
  for (const column of COLUMNS) row.text(column);
  if (cellCount !== columnCount) {
    throw new CallLogError(line, `has ${cellCount} fields, the header ${columnCount}`);
  }
  const outcome = row.text('outcome');
  if (!isOneOf(CALL_OUTCOMES, outcome)) {
    throw new CallLogError(line, `outcome is not AGENT, HANG or PHANTOM: "${outcome}"`);
  }
  const groupId = row.text('type');
  if (!isOneOf(CALL_TYPES, groupId)) {
    throw new CallLogError(line, `type is not one of ${CALL_TYPES.join(', ')}: "${groupId}"`);
  }
  const priorityText = row.text('priority');
  if (!/^\d+$/.test(priorityText)) {
    throw new CallLogError(line, `priority is not a number: "${priorityText}"`);
  }
  const localDate = isoDate(row.text('date'), line);
  const stages = new Stages(row, dayNumberOf(localDate) * DAY_MS, zone);
  const vruEntryMs = stages.required('vru_entry');
  const vruExitMs = stages.required('vru_exit');
  const queueStartMs = stages.optional('q_start');
  const queueExitMs = stages.optional('q_exit');
  const serviceStartMs = stages.optional('ser_start');
  const serviceExitMs = stages.optional('ser_exit');
  const vruLine = row.nonEmpty('vru+line');
  const callId = row.nonEmpty('call_id');
  const customer = row.nonEmpty('customer_id');
  return {
    line,
    vruLine,
    callId,
    contactId: `${vruLine}-${callId}`,
    ...(customer === '0' ? {} : { customerId: customer }),
    priority: Number(priorityText),
    groupId,
    localDate,
    vruEntryMs,
    vruExitMs,
    ...(queueStartMs === undefined ? {} : { queueStartMs }),
    ...(queueExitMs === undefined ? {} : { queueExitMs }),
    outcome,
    ...(serviceStartMs === undefined ? {} : { serviceStartMs }),
    ...(serviceExitMs === undefined ? {} : { serviceExitMs }),
    server: row.nonEmpty('server'),
  };
}

/**
 * Every row of the log, in order. Blank lines are ignored; a malformed row throws a
 * CallLogError with its line, and so does a second row for the same call.
 */
export function parseCallLog(text: string): CallRecord[] {
  const lines = text.split(/\r?\n/);
  const index = readHeader(lines[0] ?? '');
  const columnCount = (lines[0] ?? '').split('\t').length;
  const zone = callLogZone();
  const firstLine = new Map<string, number>();
  const records: CallRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const cells = raw.split('\t');
    const record = parseRow(new Row(cells, index, i + 1), cells.length, columnCount, zone);
    const seen = firstLine.get(record.contactId);
    if (seen !== undefined) {
      throw new CallLogError(record.line, `call ${record.contactId} again (first on line ${seen})`);
    }
    firstLine.set(record.contactId, record.line);
    records.push(record);
  }
  return records;
}
