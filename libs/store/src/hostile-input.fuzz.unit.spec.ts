/**
 * Hostile input, from the bytes of a Kafka message to the figures: whatever a producer
 * writes, the decoder and the contract's validation never throw (every failure is a
 * value with a bounded reason, docs/events.md "Limits"), and whatever they accept
 * aggregates into finite numbers through the same pure code the aggregator and the
 * reader run: the contact record's codec, the contribution of libs/core, the storage
 * terms, the interval and online formulas, the agent timelines and the status pushes.
 *
 * The contact merge itself is a Lua script (lua/contact-merge-1.lua); `mergeRecord`
 * below is its model, the greatest order key per slot, compared byte by byte.
 */
import { fc, test } from '@fast-check/vitest';
import {
  type AgentStatus,
  chatWorkDays,
  compareBytes,
  DAYSTATS_LENGTH,
  groupContribution,
  groupLoadFigures,
  HIST_LENGTH,
  intervalGrid,
  LOGGED_OUT,
  loginSpans,
  NOW_LENGTH,
  parseStatus,
  referenceServiceGroupData,
  serializeStatus,
  serviceGroupRows,
  stateSpans,
  statusAfter,
  type StatusChange,
  statusPushes,
  type TimelineEvent,
  TimeZone,
} from '@wfm-stream/core';
import {
  type AvroDecoder,
  type DecodeFailureKind,
  DEFAULT_EVENT_MAX_BYTES,
  EventDecoder,
} from '@wfm-stream/kafka';
import {
  type AgentEvent,
  type ContactEvent,
  DAY_MS,
  definitionOf,
  EVENT_DEFINITIONS,
  EVENT_EXAMPLES,
  type EventDefinition,
  type FieldSpec,
  MAX_DURATION_MS,
  MAX_EVENT_MS,
  MAX_REASON_LENGTH,
  MINUTE_MS,
  type Stream,
  validateEvent,
  type WfmEvent,
} from '@wfm-stream/schemas';
import { describe, expect, it } from 'vitest';

import { agentPayload, encodeAgentEvent, parsePayload } from './agents/codec.js';
import { decodeContactRecord, encodeContactEvent } from './contacts/codec.js';
import { decodeVector, encodeVector, groupTerms, serializeTerms } from './contacts/group-terms.js';

const STREAMS: readonly Stream[] = ['directory', 'contacts', 'agents'];
const FAILURE_KINDS: readonly DecodeFailureKind[] = [
  'empty',
  'too-large',
  'not-json',
  'not-an-object',
  'unknown-type',
  'invalid',
  'wrong-topic',
  'avro',
];
const ZONES = ['UTC', 'America/St_Johns', 'Pacific/Kiritimati', 'Europe/Berlin'].map(
  (name) => TimeZone.of(name) ?? TimeZone.UTC,
);
/** `EVENT_MAX_BYTES`'s default: every generated message below is read, none is cut. */
const decoder = new EventDecoder();

// ---------------------------------------------------------------------------------------
// what is wrong with a value: every number that is not finite, with its path

function nonFinite(value: unknown, path = '$', out: string[] = []): string[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push(`${path} = ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nonFinite(v, `${path}[${i}]`, out));
  } else if (value instanceof Map) {
    for (const [k, v] of value) nonFinite(v, `${path}<${String(k)}>`, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) nonFinite(v, `${path}.${k}`, out);
  }
  return out;
}

/** The decoder's answer is a value: never a rejection, and a refusal says why in bounded words. */
function expectWellFormed(decoded: Awaited<ReturnType<EventDecoder['decode']>>): void {
  if (decoded.ok) {
    expect(decoded.atMs).toBeGreaterThanOrEqual(0);
    expect(decoded.atMs).toBeLessThan(MAX_EVENT_MS);
    return;
  }
  expect(FAILURE_KINDS).toContain(decoded.kind);
  expect(decoded.reason.length).toBeGreaterThan(0);
  expect(decoded.reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
  // the decoder's own catch-all: a bug of ours or a library's, never expected
  expect(decoded.reason).not.toMatch(/^could not be decoded/);
}

async function decodeEverywhere(value: Buffer | null): Promise<void> {
  for (const stream of STREAMS) expectWellFormed(await decoder.decode(value, stream));
}

// ---------------------------------------------------------------------------------------
// hostile pieces of text

/** Characters the contract accepts in ids and texts, chosen to break parsers, keys and logs. */
const ACCEPTED_UNITS = [
  'a',
  'Z',
  '7',
  ' ',
  '{',
  '}',
  ':',
  '*',
  ',',
  '"',
  '\\',
  '/',
  '%',
  '?',
  '[',
  ']',
  '😀', // a surrogate pair
  '👩‍👩‍👧', // joined by U+200D
  '\u200f', // right-to-left mark
  '\u202e', // right-to-left override
  '\u2028', // line separator
  '\u0085', // C1 control (NEL): not refused, only C0 and DEL are
  '\ufeff',
  '\ud800', // a lone surrogate
  '__proto__',
  'constructor',
  'toString',
  'ـ',
  'ß',
];
/** Characters the contract refuses in ids and texts: C0 controls and DEL. */
const CONTROL_UNITS = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u001f',
  '\u007f',
];

const acceptedText = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc
    .string({ unit: fc.constantFrom(...ACCEPTED_UNITS), minLength, maxLength })
    .filter((s) => s.length >= minLength && s.length <= maxLength);
const validId = acceptedText(1, 200);
const validText = acceptedText(0, 500);
const hostileString = fc.oneof(
  { weight: 3, arbitrary: acceptedText(0, 60) },
  fc.string({ unit: fc.constantFrom(...ACCEPTED_UNITS, ...CONTROL_UNITS), maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', '__proto__', 'constructor', 'hasOwnProperty', 'x'.repeat(201)),
  fc.integer({ min: 201, max: 70_000 }).map((n) => 'i'.repeat(n)),
);
/** Numbers as JSON writes them, the ones JavaScript reads as something else included. */
const hostileNumberLiteral = fc.oneof(
  fc.constantFrom(
    '1e400',
    '-1e400',
    '1e-400',
    '-0',
    '0.0',
    '1.5',
    '9007199254740993',
    '123456789012345678901234567890',
    '604800000',
    '604800001',
    '-1',
    `1${'0'.repeat(400)}`,
  ),
  fc.double().map((d) => (Number.isFinite(d) ? String(d) : '0')),
  fc.integer().map(String),
);

// ---------------------------------------------------------------------------------------
// date-times

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function formatOffsetText(minutes: number, z: 'Z' | 'z'): string {
  if (minutes === 0) return z;
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/**
 * A date-time the contract accepts, and the instant it means: any instant from 1970 up to
 * 2100, written in any offset up to ±18:00 (so local dates of 1969 and 2100 occur), with
 * `T` or `t`, `Z` or `z`, and a fraction after `.` or `,` of 0 to 9 digits (those beyond
 * milliseconds are cut off).
 */
const validDateTime = fc
  .record({
    ms: fc.oneof(
      fc.integer({ min: 0, max: MAX_EVENT_MS - 1 }),
      fc.constantFrom(0, 1, 999, MAX_EVENT_MS - 1, MAX_EVENT_MS - 1000, Date.UTC(2000, 1, 29)),
    ),
    offset: fc.oneof(
      fc.integer({ min: -18 * 60, max: 18 * 60 }),
      fc.constantFrom(0, -18 * 60, 18 * 60, -210, 345),
    ),
    t: fc.constantFrom('T', 't'),
    z: fc.constantFrom('Z' as const, 'z' as const),
    separator: fc.constantFrom('.', ','),
    digits: fc.integer({ min: 0, max: 9 }),
    extra: fc.string({ unit: fc.constantFrom(...DIGITS), minLength: 6, maxLength: 6 }),
    seconds: fc.boolean(),
  })
  .map(({ ms: any, offset, t, z, separator, digits, extra, seconds }) => {
    // what the text can say: whole minutes without seconds, whole seconds without 3 digits
    const ms = !seconds ? any - (any % MINUTE_MS) : digits < 3 ? any - (any % 1000) : any;
    const local = new Date(ms + offset * MINUTE_MS);
    const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`;
    let time = `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}`;
    if (seconds) {
      time += `:${pad(local.getUTCSeconds(), 2)}`;
      if (digits > 0)
        time += `${separator}${`${pad(local.getUTCMilliseconds(), 3)}${extra}`.slice(0, digits)}`;
    }
    return { text: `${date}${t}${time}${formatOffsetText(offset, z)}`, ms };
  });

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Anything shaped like a date-time: years 0000 to 10000, impossible dates, odd offsets. */
const anyDateTime = fc
  .record({
    year: fc.oneof(
      fc.integer({ min: 0, max: 10_000 }),
      fc.constantFrom(1, 1969, 1970, 2099, 2100, 9999),
    ),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.option(fc.integer({ min: 0, max: 61 }), { nil: undefined }),
    fraction: fc.option(
      fc.tuple(
        fc.constantFrom('.', ','),
        fc.string({ unit: fc.constantFrom(...DIGITS), minLength: 0, maxLength: 12 }),
      ),
      { nil: undefined },
    ),
    zone: fc.oneof(
      fc.constantFrom('Z', 'z', '', '+0300', '+03', ' +03:00', 'UTC', '+24:00'),
      fc
        .tuple(
          fc.constantFrom('+', '-'),
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 61 }),
        )
        .map(([s, h, m]) => `${s}${pad(h, 2)}:${pad(m, 2)}`),
    ),
  })
  .map((p) => {
    let text = `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}`;
    if (p.second !== undefined) {
      text += `:${pad(p.second, 2)}`;
      if (p.fraction !== undefined) text += `${p.fraction[0]}${p.fraction[1]}`;
    }
    return { text: text + p.zone, parts: p };
  });

/** What the contract says of `anyDateTime`'s text: its instant, or undefined when refused. */
function expectedInstant(p: {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number | undefined;
  fraction: [string, string] | undefined;
  zone: string;
}): number | undefined {
  const leap = (p.year % 4 === 0 && p.year % 100 !== 0) || p.year % 400 === 0;
  const days = p.month === 2 && leap ? 29 : (DAYS_IN_MONTH[p.month - 1] ?? 0);
  if (p.year < 1 || p.year > 9999 || p.day < 1 || p.day > days) return undefined;
  if (p.hour > 23 || p.minute > 59 || (p.second ?? 0) > 59) return undefined;
  const digits = p.second === undefined ? undefined : p.fraction?.[1];
  if (digits !== undefined && (digits.length === 0 || digits.length > 9)) return undefined;
  let offset: number;
  if (p.zone === 'Z' || p.zone === 'z') offset = 0;
  else {
    const m = /^([+-])(\d{2}):(\d{2})$/.exec(p.zone);
    if (m === null) return undefined;
    const minutes = Number(m[3]);
    offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + minutes);
    if (minutes > 59 || Math.abs(offset) > 18 * 60) return undefined;
  }
  const date = new Date(0);
  date.setUTCFullYear(p.year, p.month - 1, p.day);
  date.setUTCHours(
    p.hour,
    p.minute,
    p.second ?? 0,
    Number((digits ?? '').slice(0, 3).padEnd(3, '0')),
  );
  const ms = date.getTime() - offset * MINUTE_MS;
  return ms >= 0 && ms < MAX_EVENT_MS ? ms : undefined;
}

// ---------------------------------------------------------------------------------------
// valid events of every type, from the contract's own field descriptions

function fieldValue(spec: FieldSpec): fc.Arbitrary<unknown> {
  switch (spec.kind.type) {
    case 'id':
      return validId;
    case 'text':
      return validText;
    case 'enum':
      return fc.constantFrom(...spec.kind.values);
    case 'durationMs':
      return fc.oneof(
        fc.integer({ min: 0, max: MAX_DURATION_MS }),
        fc.constantFrom(0, MAX_DURATION_MS),
      );
    case 'idList':
      return fc.array(validId, { maxLength: 4 });
    case 'timestamp':
      return validDateTime.map((d) => d.text);
  }
}

/** A valid event of the definition; contact and agent ids come from a small pool, so events meet. */
function validEventOf(definition: EventDefinition): fc.Arbitrary<WfmEvent> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {
    eventId: fc.oneof(validId, fc.constantFrom('e1', 'e2', '__proto__')),
    type: fc.constant(definition.type),
    occurredAt: validDateTime.map((d) => d.text),
  };
  const pooled = fc.oneof(fc.constantFrom('k1', '__proto__', '{k}:*😀\u200f'), validId);
  for (const [name, spec] of Object.entries(definition.fields)) {
    const value =
      name === 'contactId' || name === 'agentId' || name === 'groupId' ? pooled : fieldValue(spec);
    fields[name] = spec.optional ? fc.option(value, { nil: undefined }) : value;
  }
  return fc.record(fields).map((record) => {
    const event: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) if (v !== undefined) event[k] = v;
    return event as unknown as WfmEvent;
  });
}

const validEvent = fc.oneof(...EVENT_DEFINITIONS.map((d) => validEventOf(d)));
const validContactEvent = fc.oneof(
  ...EVENT_DEFINITIONS.filter((d) => d.stream === 'contacts').map((d) => validEventOf(d)),
) as fc.Arbitrary<ContactEvent>;
const validAgentEvent = fc.oneof(
  ...EVENT_DEFINITIONS.filter((d) => d.stream === 'agents').map((d) => validEventOf(d)),
) as fc.Arbitrary<AgentEvent>;

/** A valid event's JSON text, mutated: a field replaced, removed or added, or the type swapped. */
const mutatedEventText = (maxDepth: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.oneof(validEvent, fc.constantFrom(...Object.values(EVENT_EXAMPLES))),
      fc.constantFrom('set', 'delete', 'add', 'retype', 'proto', 'number', 'deep'),
      fc.nat(),
      hostileString,
      fc.jsonValue({ maxDepth: 3 }),
      hostileNumberLiteral,
      fc.integer({ min: 1, max: maxDepth }),
    )
    .map(([event, how, pick, text, json, number, depth]) => {
      const names = Object.keys(event);
      const name = names[pick % names.length] ?? 'eventId';
      const copy: Record<string, unknown> = { ...event };
      switch (how) {
        case 'set':
          copy[name] = pick % 2 === 0 ? text : json;
          return JSON.stringify(copy);
        case 'delete':
          return JSON.stringify(
            Object.fromEntries(Object.entries(copy).filter(([k]) => k !== name)),
          );
        case 'add':
          copy[text] = json;
          return JSON.stringify(copy);
        case 'retype':
          copy.type = EVENT_DEFINITIONS[pick % EVENT_DEFINITIONS.length]?.type;
          return JSON.stringify(copy);
        case 'proto':
          // JSON.parse makes "__proto__" an own key; an object spread or a zod parse must not
          // turn it into a prototype
          return `{"__proto__":${JSON.stringify(copy)},${JSON.stringify(copy).slice(1, -1)},"constructor":{"prototype":{"polluted":1}}}`;
        case 'number':
          return JSON.stringify(copy).replace(/}$/, `,${JSON.stringify(name)}:${number}}`);
        case 'deep':
          return JSON.stringify(copy).replace(
            /}$/,
            `,${JSON.stringify(name)}:${'['.repeat(depth)}${']'.repeat(depth)}}`,
          );
      }
    });

// ---------------------------------------------------------------------------------------
// the aggregation, pure

/** lua/contact-merge-1.lua, modelled: the record after merging `events`, as HGETALL flattens it. */
function mergeRecord(events: readonly ContactEvent[], maxEvents: number): string[] {
  const record = new Map<string, string>();
  let version = 0;
  for (const event of events) {
    const m = encodeContactEvent(event);
    if (record.has(`e:${m.eventId}`) || version >= maxEvents) continue;
    record.set(`e:${m.eventId}`, '1');
    version += 1;
    const current = record.get(`k:${m.slot}`);
    if (current === undefined || compareBytes(m.order, current) > 0) {
      record.set(`k:${m.slot}`, m.order);
      record.set(`p:${m.slot}`, m.payload);
    }
    if (m.home !== '') record.set(`h:${m.home}`, '1');
  }
  record.set('v', String(version));
  return [...record].flat();
}

/** Sparse vectors as the group script parses them (lua/includes/vectors.lua): `index:value,…`. */
function parseSparse(text: string, length: number): number[] {
  const v = new Array<number>(length).fill(0);
  if (text === '') return v;
  for (const pair of text.split(',')) {
    const [index, value, rest] = pair.split(':');
    expect(rest).toBeUndefined();
    const i = Number(index);
    expect(Number.isInteger(i) && i >= 0 && i < length).toBe(true);
    v[i] = Number(value);
  }
  return v;
}

interface Sums {
  historic: Map<string, number[]>;
  daily: Map<string, number[]>;
  now: Map<string, number[]>;
}

/** Adds one contact's serialized terms to the group's sums, as the group script would. */
function addTerms(sums: Sums, groupId: string, serialized: string): void {
  for (const term of serialized.split('\u001e')) {
    const parts = term.split('\u001f');
    // a separator inside an id would shift these: ids must not carry control characters
    expect(parts).toHaveLength(5);
    const [key = '', field = '', length = '', base = '', unique = ''] = parts;
    // local days before 1970-01-01 exist (a zone west of UTC): `d:-1`
    expect(key).toMatch(/^(h:\d+|d:-?\d+|now|wq)$/);
    const n = Number(length);
    const vector = parseSparse(base, n).map((x, i) => x + (parseSparse(unique, n)[i] ?? 0));
    expect(nonFinite(vector)).toEqual([]);
    const add = (map: Map<string, number[]>, name: string): void => {
      const sum = map.get(name) ?? new Array<number>(n).fill(0);
      vector.forEach((x, i) => (sum[i] = (sum[i] ?? 0) + x));
      map.set(name, sum);
    };
    if (key.startsWith('h:')) {
      const minute = Number(field);
      expect(Number.isInteger(minute) && minute >= 0 && minute < 1440).toBe(true);
      add(sums.historic, `${groupId}\u0000${Number(key.slice(2)) * DAY_MS + minute * MINUTE_MS}`);
    } else if (key.startsWith('d:')) add(sums.daily, `${groupId}\u0000${key}`);
    else if (key === 'now') add(sums.now, groupId);
  }
}

/** A vector as the group script stores it, read back as the reader reads it. */
function packed(vector: readonly number[]): number[] {
  return decodeVector(Buffer.from(encodeVector(vector), 'latin1'));
}

/** Every figure the contacts make, from the accepted events; asserts each is finite. */
function aggregateContacts(
  events: readonly ContactEvent[],
  zone: TimeZone,
  maxEvents: number,
): void {
  const byContact = new Map<string, ContactEvent[]>();
  for (const e of events) byContact.set(e.contactId, [...(byContact.get(e.contactId) ?? []), e]);
  const sums: Sums = { historic: new Map(), daily: new Map(), now: new Map() };
  const chats: { startMs: number; endMs: number }[] = [];
  for (const [contactId, list] of byContact) {
    const snapshot = decodeContactRecord(contactId, mergeRecord(list, maxEvents));
    expect(nonFinite(snapshot)).toEqual([]);
    expect(snapshot.version).toBeGreaterThan(0);
    for (const home of snapshot.homes) {
      expect(home.at).toBeGreaterThanOrEqual(0);
      expect(home.at).toBeLessThan(MAX_EVENT_MS);
    }
    const { facts } = snapshot;
    if (
      facts.offered?.channel === 'CHATS' &&
      facts.answered !== undefined &&
      facts.ended !== undefined &&
      facts.ended.at > facts.answered.at
    ) {
      chats.push({ startMs: facts.answered.at, endMs: facts.ended.at });
    }
    const contribution = groupContribution(facts, 20_000);
    if (contribution === undefined) continue;
    expect(nonFinite(contribution)).toEqual([]);
    const terms = groupTerms(contribution, zone, contactId);
    for (const [, , base, unique] of terms) expect(nonFinite([base, unique ?? []])).toEqual([]);
    addTerms(sums, contribution.groupId, serializeTerms(terms));
  }
  // the reader's side: 15-minute rows of each group-day, the online figures
  const buckets = new Map<string, { startMs: number; vector: number[] }[]>();
  for (const [name, vector] of sums.historic) {
    const [groupId = '', start = ''] = name.split('\u0000');
    const list = buckets.get(groupId) ?? [];
    list.push({ startMs: Number(start), vector: packed(vector) });
    buckets.set(groupId, list);
  }
  for (const list of buckets.values()) {
    const first = Math.min(...list.map((b) => b.startMs));
    const grid = intervalGrid({ ms: first, offsetMinutes: 0 }, 15 * MINUTE_MS);
    for (const row of serviceGroupRows(list, grid)) expect(nonFinite(row)).toEqual([]);
  }
  for (const [name, today] of sums.daily) {
    expect(today).toHaveLength(DAYSTATS_LENGTH);
    const groupId = name.split('\u0000')[0] ?? '';
    const now = sums.now.get(groupId) ?? new Array<number>(NOW_LENGTH).fill(0);
    expect(nonFinite(groupLoadFigures(packed(today), packed(now), 3))).toEqual([]);
  }
  for (const v of sums.historic.values()) expect(v).toHaveLength(HIST_LENGTH);
  // chat work time over the first days of every chat, however long it lasted
  for (const chat of chats) {
    const from = Math.floor(chat.startMs / DAY_MS) * DAY_MS;
    expect(nonFinite(chatWorkDays(chats, from, from + 2 * DAY_MS, 180))).toEqual([]);
  }
  // the plain-way reference computation (docs/api.md, "GET /historic/serviceGroupData") over the same events
  const groupIds = [
    ...new Set(events.flatMap((e) => (e.type === 'contact.offered' ? [e.groupId] : []))),
  ];
  const reference = referenceServiceGroupData(events, zone, {
    startMs: 0,
    endMs: MAX_EVENT_MS,
    offsetMinutes: 0,
    stepMs: DAY_MS,
    groupIds,
  });
  expect(nonFinite(reference)).toEqual([]);
}

/** Every figure the agent events make; asserts each is finite and each payload round-trips. */
function aggregateAgents(events: readonly AgentEvent[]): void {
  const byAgent = new Map<string, TimelineEvent[]>();
  const status = new Map<string, AgentStatus>();
  for (const event of events) {
    const [eventId, ms, payload] = encodeAgentEvent(event);
    expect(eventId).toBe(event.eventId);
    const atMs = Number(ms);
    expect(Number.isSafeInteger(atMs) && atMs >= 0 && atMs < MAX_EVENT_MS).toBe(true);
    // the stored payload is read back as it was written: no separator inside a field
    expect(parsePayload(payload)).toEqual(agentPayload(event));
    const p = agentPayload(event);
    let change: StatusChange | undefined;
    let timeline: TimelineEvent | undefined;
    if (p.kind === 'I' || p.kind === 'S') {
      change = { kind: p.kind === 'I' ? 'login' : 'state', code: p.stateCode, name: p.stateName };
      timeline = {
        eventId,
        atMs,
        kind: p.kind === 'I' ? 'login' : 'state',
        state: {
          code: p.stateCode,
          name: p.stateName,
          category: p.category,
          groupId: p.groupId,
          serviceId: p.serviceId,
        },
      };
    } else if (p.kind === 'O') {
      change = { kind: 'logout' };
      timeline = { eventId, atMs, kind: 'logout' };
    }
    if (timeline !== undefined)
      byAgent.set(event.agentId, [...(byAgent.get(event.agentId) ?? []), timeline]);
    if (change !== undefined) {
      const pushes = statusPushes(event.agentId, status.get(event.agentId), change, atMs, 'sys');
      for (const push of pushes) expect(Number.isSafeInteger(push.actionTime)).toBe(true);
      const after = statusAfter(change);
      // the emitter's claim stores the status joined by \x1f
      expect(parseStatus(serializeStatus(after))).toEqual(after);
      status.set(event.agentId, after);
    }
  }
  for (const timeline of byAgent.values()) {
    for (const span of [...stateSpans(timeline), ...loginSpans(timeline)]) {
      expect(Number.isFinite(span.endMs) && span.endMs > span.start.atMs).toBe(true);
    }
    const spans = stateSpans(timeline).map((s) => ({ startMs: s.start.atMs, endMs: s.endMs }));
    expect(nonFinite(chatWorkDays(spans, 0, 3 * DAY_MS, -210))).toEqual([]);
  }
  expect(parseStatus(serializeStatus(LOGGED_OUT))).toEqual(LOGGED_OUT);
}

/** Decodes each text on its event's stream; returns the events accepted. */
async function acceptedOf(texts: readonly string[]): Promise<WfmEvent[]> {
  const accepted: WfmEvent[] = [];
  for (const text of texts) {
    const parsed = JSON.parse(text) as { type?: unknown };
    const stream =
      typeof parsed.type === 'string'
        ? (definitionOf(parsed.type)?.stream ?? 'contacts')
        : 'contacts';
    const decoded = await decoder.decode(Buffer.from(text), stream);
    expectWellFormed(decoded);
    if (decoded.ok) accepted.push(decoded.event);
  }
  return accepted;
}

// ---------------------------------------------------------------------------------------

describe('decoding and validating hostile input', () => {
  test.prop([fc.uint8Array({ maxLength: 2_000 })])('arbitrary bytes never throw', async (bytes) => {
    await decodeEverywhere(Buffer.from(bytes));
    // the same bytes after a JSON opening, and in the Confluent wire format
    await decodeEverywhere(Buffer.concat([Buffer.from('{"type":'), bytes]));
    await decodeEverywhere(Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), bytes, Buffer.from('x')]));
  });

  test.prop([fc.jsonValue({ maxDepth: 6 })])('arbitrary JSON never throws', async (value) => {
    await decodeEverywhere(Buffer.from(JSON.stringify(value)));
  });

  test.prop([
    fc.anything({
      withNullPrototype: true,
      withObjectString: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
      withBigInt: true,
      stringUnit: 'binary',
    }),
  ])('whatever an Avro decoder hands over never throws', async (value) => {
    const avro: AvroDecoder = { decode: () => Promise.resolve(value) };
    const viaAvro = new EventDecoder(avro);
    for (const stream of STREAMS)
      expectWellFormed(await viaAvro.decode(Buffer.from([0, 0, 0, 0, 7, 1, 2]), stream));
    expect(() => validateEvent(value)).not.toThrow();
  });

  test.prop([
    fc.integer({ min: 1, max: 120_000 }),
    fc.constantFrom('type', 'eventId', 'contactId', 'occurredAt', 'extra'),
    fc.constantFrom('[', '{"a":'),
  ])('nesting 120,000 levels deep anywhere never throws', async (depth, name, open) => {
    const close = open === '[' ? ']' : '}';
    const base = Object.fromEntries(
      Object.entries(EVENT_EXAMPLES['contact.offered']).filter(([k]) => k !== name),
    );
    const text = JSON.stringify(base).replace(
      /}$/,
      `,"${name}":${open.repeat(depth)}1${close.repeat(depth)}}`,
    );
    const decoded = await decoder.decode(Buffer.from(text), 'contacts');
    expectWellFormed(decoded);
    // an unknown field is ignored, whatever it holds; a known one must be what it says
    const expected =
      Buffer.byteLength(text) > DEFAULT_EVENT_MAX_BYTES
        ? 'too-large'
        : name === 'extra'
          ? 'ok'
          : name === 'type'
            ? 'unknown-type'
            : 'invalid';
    expect(decoded.ok ? 'ok' : decoded.kind).toBe(expected);
  });

  test.prop([mutatedEventText(120_000)])('mutated valid events never throw', async (text) => {
    await decodeEverywhere(Buffer.from(text));
    // no prototype was polluted on the way
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.prop([validEvent])(
    'every event the contract describes is accepted on its topic only',
    async (event) => {
      const bytes = Buffer.from(JSON.stringify(event));
      const stream = definitionOf(event.type)?.stream;
      for (const s of STREAMS) {
        const decoded = await decoder.decode(bytes, s);
        expectWellFormed(decoded);
        expect(decoded.ok ? 'ok' : decoded.kind).toBe(s === stream ? 'ok' : 'wrong-topic');
      }
    },
  );

  test.prop([anyDateTime])('occurredAt: exactly the date-times the contract describes', (d) => {
    const expected = expectedInstant(d.parts);
    const validation = validateEvent({ ...EVENT_EXAMPLES['agent.loggedOut'], occurredAt: d.text });
    expect(validation.ok ? validation.atMs : undefined, d.text).toBe(expected);
  });

  test.prop([validDateTime])(
    'occurredAt: the instant, whatever offset, separator and fraction',
    (d) => {
      const validation = validateEvent({
        ...EVENT_EXAMPLES['agent.loggedOut'],
        occurredAt: d.text,
      });
      expect(validation.ok ? validation.atMs : undefined, d.text).toBe(d.ms);
    },
  );

  it('refuses control characters in ids and texts, and nothing else of the hostile set', () => {
    for (const c of CONTROL_UNITS) {
      const v = validateEvent({ ...EVENT_EXAMPLES['agent.stateChanged'], reasonName: `a${c}b` });
      expect(v.ok ? 'ok' : v.kind).toBe('invalid');
      const w = validateEvent({ ...EVENT_EXAMPLES['contact.offered'], groupId: `g${c}` });
      expect(w.ok ? 'ok' : w.kind).toBe('invalid');
    }
    const id = ACCEPTED_UNITS.join('').slice(0, 200);
    const accepted = validateEvent({
      ...EVENT_EXAMPLES['contact.offered'],
      contactId: id,
      groupId: id,
    });
    expect(accepted.ok).toBe(true);
  });
});

describe('what is accepted aggregates into finite figures', () => {
  test.prop([
    fc.array(fc.oneof({ weight: 4, arbitrary: validContactEvent }, mutatedEventText(1_000)), {
      maxLength: 40,
    }),
    fc.constantFrom(...ZONES),
    fc.constantFrom(4, 64),
  ])(
    'contacts: records, contributions, terms, rows and online figures',
    async (events, zone, maxEvents) => {
      const accepted = (
        await acceptedOf(events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))))
      ).filter((e): e is ContactEvent => definitionOf(e.type)?.stream === 'contacts');
      aggregateContacts(accepted, zone, maxEvents);
    },
  );

  test.prop([fc.array(validAgentEvent, { maxLength: 40 })])(
    'agents: payloads, timelines, spans and status pushes',
    async (events) => {
      const accepted = (await acceptedOf(events.map((e) => JSON.stringify(e)))).filter(
        (e): e is AgentEvent => definitionOf(e.type)?.stream === 'agents',
      );
      expect(accepted).toHaveLength(events.length);
      aggregateAgents(accepted);
    },
  );

  it('a chat that spans centuries and durations at their bounds stay finite', async () => {
    const events: ContactEvent[] = [
      {
        eventId: 'o',
        type: 'contact.offered',
        occurredAt: '1970-01-01T00:00:00Z',
        contactId: 'long',
        groupId: 'g',
        channel: 'CHATS',
      },
      {
        eventId: 'a',
        type: 'contact.answered',
        occurredAt: '1970-01-01T00:00:10,5+00:00',
        contactId: 'long',
        agentId: 'x',
        ringMs: MAX_DURATION_MS,
      },
      {
        eventId: 'n',
        type: 'contact.ended',
        occurredAt: '2099-12-31T23:59:59.999999999Z',
        contactId: 'long',
        outcome: 'HANDLED',
        talkMs: MAX_DURATION_MS,
        holdMs: MAX_DURATION_MS,
      },
      {
        eventId: 'w',
        type: 'contact.wrappedUp',
        occurredAt: '2100-01-01T17:59:59+18:00',
        contactId: 'long',
        agentId: 'x',
        wrapUpMs: MAX_DURATION_MS,
        relaxMs: MAX_DURATION_MS,
      },
    ];
    const accepted = await acceptedOf(events.map((e) => JSON.stringify(e)));
    expect(accepted).toHaveLength(4);
    for (const zone of ZONES) aggregateContacts(accepted as ContactEvent[], zone, 64);
  });
});
