/**
 * Hostile input, end to end: every case below is published to the contact and the agent
 * topics, then a valid canary event to each. The services run as processes (aggregator,
 * emitter, reader and the WFM sink), with small limits, and after each case:
 *
 * - the canaries' effects show within seconds: the reader answers the canary contact and
 *   the canary agent's state, and the sink received the emitter's push of that state (so
 *   no partition stalled behind the case);
 * - every service's `/healthz` answers 200, and no process restarted (same pid, still
 *   running, the same `process_start_time_seconds`);
 * - what the case holds that is valid has its effect, and the reader's answers hold no
 *   number that is not finite.
 *
 * At the end every dead-letter record fits `DEAD_LETTER_MAX_BYTES`, says where its
 * original was (topic, partition, offset), who refused it and of which kind, and the
 * records by consumer group, topic, offset and kind are exactly the expected ones
 * (docs/events.md, "Limits").
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type DecodeFailureKind, DLQ_HEADERS } from '@wfm-stream/kafka';
import { isProcessAlive } from '@wfm-stream/local-stack';
import { EVENT_EXAMPLES, type WfmEvent } from '@wfm-stream/schemas';
import {
  readTopicMessages,
  testKafka,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
} from '@wfm-stream/testing';
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';

import { metricByLabel } from './support/metrics.js';
import { type ServiceProcess, waitForReady } from './support/services.js';
import { pipelineStack } from './support/stack.js';

const stack = pipelineStack();
const { topics } = stack;
const ns = stack.namespace();
const AGGREGATOR_GROUP = uniqueName('aggregator');
const EMITTER_GROUP = uniqueName('emitter');
/** Small limits, so that each bound is reached with little data (docs/events.md, "Limits"). */
const LIMITS = {
  /** Room for 100,000 levels of nesting (200,000 bytes), not much more. */
  EVENT_MAX_BYTES: 204_800,
  DEAD_LETTER_MAX_BYTES: 16_384,
  CONTACT_MAX_EVENTS: 4,
  CONTACT_MAX_SPAN: '1d',
  POISON_MAX_ATTEMPTS: 2,
};
const KEY = 'hostile-key';
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-hostile-'));
stack.onTeardown(() => {
  fs.rmSync(logDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------
// the services, as processes

interface Service extends ServiceProcess {
  startTime?: number;
}

const services: Service[] = [];
let producer: Producer;

async function start(name: string, env: Record<string, string>): Promise<Service> {
  const service: Service = {
    ...(await stack.spawn(name, env, { logFile: path.join(logDir, `${name}.log`) })),
  };
  services.push(service);
  return service;
}

/** When the process started, as its own metrics say (the sink, a stand-in, has none). */
async function startTimeOf(service: Service): Promise<number | undefined> {
  if (service.name === 'wfm-sink') return undefined;
  const values = await metricByLabel(service.url, 'wfm_process_start_time_seconds');
  const value = values.get('');
  expect(value, `${service.name} reports its start time`).toBeGreaterThan(0);
  return value;
}

const base = {
  ...stack.env,
  REDIS_KEY_PREFIX: ns.prefix,
  OPS_HOST: '127.0.0.1',
  SYSTEM_ID: 'Hostile system',
  ...Object.fromEntries(Object.entries(LIMITS).map(([k, v]) => [k, String(v)])),
};

beforeAll(async () => {
  // one partition each: every canary comes after every hostile message of its topic
  await stack.createTopics({ contacts: 1, agents: 1 });
  const sink = await start('wfm-sink', { HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
  const started = await Promise.all([
    start('aggregator', { ...base, CONSUMER_GROUP: AGGREGATOR_GROUP }),
    start('emitter', {
      ...base,
      CONSUMER_GROUP: EMITTER_GROUP,
      WFM_STATUS_URL: `${sink.url}/ccwfm/api/rest/status`,
      EMITTER_START_FROM: 'earliest',
    }),
    start('reader', { ...base, READER_API_KEYS: KEY }),
  ]);
  for (const service of [sink, ...started]) {
    await waitForReady(service, { timeoutMs: 60_000 });
    service.startTime = await startTimeOf(service);
  }
  producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  stack.onTeardown(() => producer.disconnect());
});

const service = (name: string): Service => {
  const found = services.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
};

// ---------------------------------------------------------------------------------------
// what is sent, and what must become of it

/** What a dead letter says of its original: the decoder's refusals, a limit, or unprocessable. */
type Kind = DecodeFailureKind | 'limit' | 'unprocessable';

interface Message {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: IHeaders;
  /** What the aggregator's group (and the emitter's, on the agent topic) makes of it. */
  readonly expect: Kind | 'accepted';
}

interface Case {
  readonly name: string;
  readonly contacts: readonly Message[];
  readonly agents: readonly Message[];
  /** The effect of what the case holds that is valid, once its canaries have arrived. */
  readonly effect?: () => Promise<void>;
}

interface Sent {
  readonly topic: string;
  readonly offset: string;
  readonly message: Message;
  readonly caseName: string;
  readonly bytes: number;
}

const sent: Sent[] = [];

const json = (value: unknown): string => JSON.stringify(value);
const valid = (event: WfmEvent, extra: Record<string, unknown> = {}): string =>
  json({ ...event, ...extra });
const ok = (value: string | Buffer, key: string | null = 'k'): Message => ({
  key,
  value,
  expect: 'accepted',
});
const bad = (expected: Kind, value: string | Buffer | null, key: string | null = 'k'): Message => ({
  key,
  value,
  expect: expected,
});
/** The same bytes for both topics. */
const both = (message: Message): { contacts: Message[]; agents: Message[] } => ({
  contacts: [message],
  agents: [message],
});

const offered = (
  eventId: string,
  contactId: string,
  groupId: string,
  occurredAt: string,
  extra: Partial<Extract<WfmEvent, { type: 'contact.offered' }>> = {},
): WfmEvent => ({
  eventId,
  type: 'contact.offered',
  occurredAt,
  contactId,
  groupId,
  channel: 'INCOMING_CALLS',
  ...extra,
});
const stateChanged = (
  eventId: string,
  agentId: string,
  stateCode: string,
  occurredAt: string,
  extra: Partial<Extract<WfmEvent, { type: 'agent.stateChanged' }>> = {},
): WfmEvent => ({
  eventId,
  type: 'agent.stateChanged',
  occurredAt,
  agentId,
  stateCode,
  stateName: stateCode,
  category: 'AVAILABLE',
  ...extra,
});
const loggedIn = (eventId: string, agentId: string, occurredAt: string): WfmEvent => ({
  eventId,
  type: 'agent.loggedIn',
  occurredAt,
  agentId,
  stateCode: 'Ready',
  stateName: 'Ready',
  category: 'AVAILABLE',
});

// ---------------------------------------------------------------------------------------
// reading answers

const headers = { 'X-API-Key': KEY };

/** Every number in an answer is finite, and no field is null (JSON writes NaN as null). */
function expectFinite(body: unknown, where: string): void {
  const problems: string[] = [];
  const walk = (value: unknown, at: string): void => {
    if (value === null) problems.push(`${at} is null`);
    else if (typeof value === 'number' && !Number.isFinite(value))
      problems.push(`${at} = ${value}`);
    else if (Array.isArray(value))
      value.forEach((v, i) => {
        walk(v, `${at}[${i}]`);
      });
    else if (typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`);
  };
  walk(body, '$');
  expect(problems, where).toEqual([]);
}

async function answer(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${service('reader').url}${url}`, { headers });
  const body: unknown = await response.json();
  expectFinite(body, url);
  return { status: response.status, body };
}

const ids = (list: readonly string[]): string => list.map(encodeURIComponent).join(',');

interface Row {
  notUniqueReceived: number;
  notUniqueTreated: number;
  aht: number;
}

/** Contacts received by a group over a day, from /historic/serviceGroupData. */
async function receivedBy(groupId: string, day: string): Promise<Row[]> {
  const { status, body } = await answer(
    `/historic/serviceGroupData?startDate=${day}T00:00:00Z&endDate=${nextDay(day)}T00:00:00Z&step=86400000&groupId=${ids([groupId])}`,
  );
  if (status === 404) return [];
  expect(status).toBe(200);
  const groups = body as { groupId: string; historicData: Row[] }[];
  return groups.find((g) => g.groupId === groupId)?.historicData ?? [];
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

async function waitForReceived(groupId: string, day: string, count: number): Promise<Row[]> {
  return waitFor(
    async () => {
      const rows = await receivedBy(groupId, day);
      return rows.reduce((n, r) => n + r.notUniqueReceived, 0) === count ? rows : undefined;
    },
    { timeoutMs: 10_000, message: `${count} contacts of group ${JSON.stringify(groupId)}` },
  );
}

interface AgentState {
  agentId: string;
  stateCode: string;
  stateName: string;
}

async function agentStates(): Promise<AgentState[]> {
  const { status, body } = await answer('/online/agentStatus');
  expect(status).toBe(200);
  return body as AgentState[];
}

async function waitForState(agentId: string, stateCode: string): Promise<AgentState> {
  return waitFor(
    async () =>
      (await agentStates()).find((a) => a.agentId === agentId && a.stateCode === stateCode),
    { timeoutMs: 10_000, message: `agent ${JSON.stringify(agentId)} in state ${stateCode}` },
  );
}

interface Push {
  workerId: string;
  stateCode: string;
  action: number;
}

async function pushes(): Promise<Push[]> {
  const response = await fetch(
    `${service('wfm-sink').url}/_sink/received?path=/ccwfm/api/rest/status`,
  );
  return ((await response.json()) as { body: Push }[]).map((r) => r.body);
}

async function waitForPush(workerId: string, stateCode: string): Promise<Push> {
  return waitFor(
    async () =>
      (await pushes()).find(
        (p) => p.workerId === workerId && p.stateCode === stateCode && p.action === 1,
      ),
    { timeoutMs: 10_000, message: `the push of ${JSON.stringify(workerId)} into ${stateCode}` },
  );
}

// ---------------------------------------------------------------------------------------
// the cases

const T = '2020-01-01T10:00:00Z';
const deep = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const ID_64K = 'i'.repeat(64 * 1024);
const ODD_GROUP = 'g{1}:*😀\u200f\u202e';
const ODD_CONTACT = 'c{1}}:*{😀\u200f';
const ODD_AGENT = 'a{1}:*}😀\u200f\u202e';
const pad = (bytes: number): string => 'x'.repeat(bytes);

/** The text's bytes with the first 3 of the 4 bytes of an emoji inserted after `after`. */
function cutCharacterInside(text: string, after: string): Buffer {
  const at = text.indexOf(after) + after.length;
  return Buffer.concat([
    Buffer.from(text.slice(0, at)),
    Buffer.from('😀').subarray(0, 3),
    Buffer.from(text.slice(at)),
  ]);
}

const cases: Case[] = [
  {
    name: 'type nested 100,000 levels deep',
    ...both(
      bad('unknown-type', `{"eventId":"deep","occurredAt":"${T}","type":${deep(100_000)}}`, 'deep'),
    ),
  },
  {
    name: 'fields nested 100,000 levels deep',
    contacts: [
      bad(
        'invalid',
        valid(EVENT_EXAMPLES['contact.offered']).replace(/}$/, `,"contactId":${deep(99_000)}}`),
      ),
      // an unknown field is ignored, however deep
      ok(
        valid(offered('deep-x', 'deep-x', 'deep-extra', T)).replace(/}$/, `,"x":${deep(99_000)}}`),
      ),
    ],
    agents: [
      bad(
        'invalid',
        valid(EVENT_EXAMPLES['agent.loggedOut']).replace(/}$/, `,"agentId":${deep(99_000)}}`),
      ),
      ok(valid(loggedIn('deep-x', 'deep-agent', T)).replace(/}$/, `,"x":${deep(99_000)}}`)),
    ],
    async effect() {
      await waitForReceived('deep-extra', '2020-01-01', 1);
      await waitForState('deep-agent', 'Ready');
    },
  },
  {
    name: 'control characters',
    contacts: [
      bad('invalid', valid(offered('cc-1', 'c\u0000x', 'g', T))),
      bad('invalid', valid(offered('cc-2', 'c', 'g\u0007', T))),
      bad('invalid', valid(offered('cc-3', 'c', 'g', T, { customerId: 'line\nbreak' }))),
      bad('invalid', valid(offered('cc-4\u007f', 'c', 'g', T))),
      // C1 controls are not refused, only C0 and DEL
      ok(valid(offered('cc-5', 'c-nel', 'nel\u0085', T))),
    ],
    agents: [
      bad(
        'invalid',
        valid(stateChanged('ac-1', 'a', 'Ready', T, { stateName: 'Ready\u001b[31m' })),
      ),
      bad('invalid', valid(stateChanged('ac-2', 'a\r\n', 'Ready', T))),
      bad('invalid', valid(stateChanged('ac-3', 'a', 'Re\u0000ady', T))),
    ],
    async effect() {
      await waitForReceived('nel\u0085', '2020-01-01', 1);
    },
  },
  {
    name: '64 KB ids and keys',
    contacts: [
      bad('invalid', valid(offered('big-1', ID_64K, 'g', T)), ID_64K),
      bad('invalid', valid(offered(ID_64K, 'c', 'g', T))),
      bad('invalid', valid(offered('big-3', 'c', ID_64K, T))),
    ],
    agents: [
      bad('invalid', valid(stateChanged('big-1', ID_64K, 'Ready', T)), ID_64K),
      bad('invalid', valid(stateChanged('big-2', 'a', ID_64K, T))),
    ],
  },
  {
    name: 'ids with { } : * , emoji and right-to-left marks',
    contacts: [
      ok(valid(offered('odd-o', ODD_CONTACT, ODD_GROUP, T, { customerId: '*:{}' })), ODD_CONTACT),
      ok(
        valid({
          eventId: 'odd-a',
          type: 'contact.answered',
          occurredAt: '2020-01-01T10:00:05Z',
          contactId: ODD_CONTACT,
          agentId: ODD_AGENT,
          ringMs: 1_000,
        }),
        ODD_CONTACT,
      ),
      ok(
        valid({
          eventId: 'odd-n',
          type: 'contact.ended',
          occurredAt: '2020-01-01T10:01:05Z',
          contactId: ODD_CONTACT,
          outcome: 'HANDLED',
        }),
        ODD_CONTACT,
      ),
    ],
    agents: [
      ok(valid(loggedIn('odd-i', ODD_AGENT, T)), ODD_AGENT),
      ok(
        valid(
          stateChanged('odd-s', ODD_AGENT, 'S{1}:*😀', '2020-01-01T10:00:01Z', {
            reasonCode: '}{',
            reasonName: '\u202e/ *',
          }),
        ),
        ODD_AGENT,
      ),
    ],
    async effect() {
      const [row] = await waitForReceived(ODD_GROUP, '2020-01-01', 1);
      expect(row?.notUniqueReceived).toBe(1);
      const state = await waitForState(ODD_AGENT, 'S{1}:*😀:}{');
      expect(state.stateName).toBe('S{1}:*😀 / \u202e/ *');
      await waitForPush(ODD_AGENT, 'S{1}:*😀:}{');
      const { status, body } = await answer(
        `/historic/agentCallsData?startDate=2020-01-01T00:00:00Z&endDate=2020-01-02T00:00:00Z&agentId=${ids([ODD_AGENT])}`,
      );
      expect(status).toBe(200);
      expect(JSON.stringify(body)).toContain(JSON.stringify(ODD_GROUP).slice(1, -1));
    },
  },
  {
    name: '__proto__, constructor and prototype keys and ids',
    contacts: [
      // "__proto__" is an own key after JSON.parse: the event has no type
      bad('unknown-type', `{"__proto__":${valid(offered('p-1', 'p', 'g', T))}}`),
      ok(
        `{"__proto__":{"groupId":"evil"},"constructor":{"prototype":{"polluted":1}},${valid(offered('p-2', 'p-2', 'proto-ok', T)).slice(1)}`,
      ),
      ok(
        valid(offered('p-3', '__proto__', '__proto__', T, { customerId: '__proto__' })),
        '__proto__',
      ),
      ok(valid(offered('p-4', 'constructor', 'constructor', T, { customerId: 'hasOwnProperty' }))),
    ],
    agents: [
      bad('unknown-type', `{"__proto__":${valid(loggedIn('p-1', 'p', T))}}`),
      ok(valid(loggedIn('p-2', '__proto__', T)), '__proto__'),
      ok(valid(loggedIn('p-3', 'constructor', T)), 'constructor'),
      ok(`{"__proto__":{"agentId":"evil"},${valid(loggedIn('p-4', 'toString', T)).slice(1)}`),
    ],
    async effect() {
      await waitForReceived('proto-ok', '2020-01-01', 1);
      await waitForReceived('__proto__', '2020-01-01', 1);
      await waitForReceived('constructor', '2020-01-01', 1);
      for (const agentId of ['__proto__', 'constructor', 'toString']) {
        await waitForState(agentId, 'Ready');
        await waitForPush(agentId, 'Ready');
      }
      expect((await agentStates()).some((a) => a.agentId === 'evil')).toBe(false);
    },
  },
  {
    name: 'huge numbers',
    contacts: [
      bad(
        'invalid',
        valid(EVENT_EXAMPLES['contact.answered']).replace(/"ringMs":\d+/, '"ringMs":1e400'),
      ),
      bad(
        'invalid',
        valid(EVENT_EXAMPLES['contact.ended']).replace(/"talkMs":\d+/, '"talkMs":9007199254740993'),
      ),
      bad(
        'invalid',
        valid(EVENT_EXAMPLES['contact.ended']).replace(
          /"holdMs":\d+/,
          `"holdMs":1${'0'.repeat(400)}`,
        ),
      ),
      bad(
        'invalid',
        valid(EVENT_EXAMPLES['contact.ended']).replace(/"holdMs":\d+/, '"holdMs":604800001'),
      ),
      bad('invalid', valid(EVENT_EXAMPLES['contact.ended']).replace(/"holdMs":\d+/, '"holdMs":-1')),
      bad(
        'invalid',
        valid(EVENT_EXAMPLES['contact.ended']).replace(/"holdMs":\d+/, '"holdMs":0.5'),
      ),
      // read as 0 and -0: valid
      ok(valid(offered('n-o', 'n-1', 'numbers', T))),
      ok(
        valid({
          eventId: 'n-a',
          type: 'contact.answered',
          occurredAt: T,
          contactId: 'n-1',
          agentId: 'n-agent',
          ringMs: 0,
        }).replace('"ringMs":0', '"ringMs":1e-400'),
      ),
      ok(
        valid({
          eventId: 'n-e',
          type: 'contact.ended',
          occurredAt: '2020-01-01T10:01:00Z',
          contactId: 'n-1',
          outcome: 'HANDLED',
          talkMs: 604_800_000,
          holdMs: 0,
        }).replace('"holdMs":0', '"holdMs":-0'),
      ),
    ],
    agents: [
      bad(
        'invalid',
        valid(EVENT_EXAMPLES['agent.loggedOut']).replace(/"agentId":"a1"/, '"agentId":1e400'),
      ),
      ok(valid(loggedIn('n-i', 'n-agent', T), { n: 1e300 }).replace('1e+300', '1e400')),
    ],
    async effect() {
      const [row] = await waitForReceived('numbers', '2020-01-01', 1);
      expect(row?.notUniqueTreated).toBe(1);
      expect(row?.aht).toBe(604_800_000);
    },
  },
  {
    name: 'truncated JSON and broken UTF-8',
    contacts: [
      bad('not-json', valid(EVENT_EXAMPLES['contact.offered']).slice(0, 40)),
      bad(
        'not-json',
        Buffer.from(valid(offered('u-1', 'u', 'g', T, { customerId: '😀' }))).subarray(0, 90),
      ),
      // a multi-byte character cut short inside a string reads as U+FFFD: still an event
      ok(cutCharacterInside(valid(offered('u-2', 'u-2', 'utf8', T)), '"u-2')),
    ],
    agents: [bad('not-json', valid(EVENT_EXAMPLES['agent.loggedIn']).slice(0, 40))],
    async effect() {
      await waitForReceived('utf8', '2020-01-01', 1);
    },
  },
  {
    name: 'empty and null values',
    contacts: [
      bad('empty', null),
      bad('empty', ''),
      bad('not-an-object', 'null'),
      bad('not-an-object', '[]'),
      bad('not-an-object', '""'),
      bad('not-an-object', '42'),
      bad('unknown-type', '{}'),
      bad('invalid', valid(offered('e-1', 'c', 'g', T), { customerId: null })),
      bad('invalid', valid(offered('e-2', '', 'g', T))),
      bad('invalid', valid(offered('', 'c', 'g', T))),
      bad('invalid', valid(offered('e-4', 'c', 'g', ''))),
    ],
    agents: [
      bad('empty', null),
      bad('empty', ''),
      bad('not-an-object', 'null'),
      bad('unknown-type', '{}'),
      bad('invalid', valid(stateChanged('e-1', 'a', 'Ready', T), { reasonCode: null })),
      bad('invalid', valid(stateChanged('e-2', 'a', '', T))),
    ],
  },
  {
    name: 'unknown types',
    ...(() => {
      const types = [
        'contact.parked',
        '',
        'constructor',
        '__proto__',
        'toString',
        'CONTACT.OFFERED',
      ];
      const messages = types.map((type) =>
        bad('unknown-type', valid(EVENT_EXAMPLES['contact.offered'], { type })),
      );
      return { contacts: messages, agents: messages };
    })(),
  },
  {
    name: '\\x1f in names, reasons and group ids',
    contacts: [
      bad('invalid', valid(offered('us-1', 'c', 'g\u001fx', T))),
      bad('invalid', valid(offered('us-2', 'c\u001f', 'g', T))),
    ],
    agents: [
      bad('invalid', valid(stateChanged('us-1', 'a', 'Ready', T, { stateName: 'a\u001fb' }))),
      bad(
        'invalid',
        valid(stateChanged('us-2', 'a', 'Ready', T, { reasonCode: 'r', reasonName: 'r\u001f' })),
      ),
      bad('invalid', valid(stateChanged('us-3', 'a', 'Ready', T, { groupId: '\u001f' }))),
      bad('invalid', valid(EVENT_EXAMPLES['agent.directOutContact'], { groupId: 'g\u001f' })),
    ],
  },
  {
    name: 'comma fractions and offsets',
    contacts: [
      // 10:00:00,123456789+03:00 is 07:00:00.123Z
      ok(valid(offered('cf-1', 'cf-1', 'comma', '2020-01-01T10:00:00,123456789+03:00'))),
      ok(valid(offered('cf-2', 'cf-2', 'comma', '2020-01-01t07:30:00,5z'))),
      bad('invalid', valid(offered('cf-3', 'cf-3', 'comma', '2020-01-01T10:00:00,Z'))),
      bad('invalid', valid(offered('cf-4', 'cf-4', 'comma', '2020-01-01T10:00:00,1234567890Z'))),
    ],
    agents: [
      ok(valid(stateChanged('cf-1', 'comma-agent', 'Comma', '2020-01-01T10:00:00,5-03:30'))),
    ],
    async effect() {
      await waitForReceived('comma', '2020-01-01', 2);
      await waitForState('comma-agent', 'Comma');
    },
  },
  {
    name: 'years 0001, 1969 and 9999',
    contacts: [
      bad('invalid', valid(offered('y-1', 'y-1', 'years', '0001-01-01T00:00:00Z'))),
      bad('invalid', valid(offered('y-2', 'y-2', 'years', '1969-12-31T23:59:59.999Z'))),
      bad('invalid', valid(offered('y-3', 'y-3', 'years', '9999-12-31T23:59:59Z'))),
      bad('invalid', valid(offered('y-4', 'y-4', 'years', '2100-01-01T00:00:00Z'))),
      bad('invalid', valid(offered('y-5', 'y-5', 'years', '1970-01-01T00:00:00+00:01'))),
      // 1969 in its own offset, 1970 in UTC: the first instant accepted
      ok(valid(offered('y-6', 'y-6', 'years', '1969-12-31T19:00:00-05:00'))),
      ok(valid(offered('y-7', 'y-7', 'years', '1970-01-01T00:00:00Z'))),
    ],
    agents: [
      bad('invalid', valid(loggedIn('y-1', 'years-agent', '0001-01-01T00:00:00Z'))),
      bad('invalid', valid(loggedIn('y-2', 'years-agent', '1969-12-31T23:59:59Z'))),
      bad('invalid', valid(loggedIn('y-3', 'years-agent', '9999-12-31T23:59:59Z'))),
      ok(valid(loggedIn('y-4', 'years-agent', '2099-12-31T23:59:59.999Z'))),
    ],
    async effect() {
      await waitForReceived('years', '1970-01-01', 2);
      await waitForState('years-agent', 'Ready');
    },
  },
  {
    name: 'a message larger than EVENT_MAX_BYTES',
    ...both(
      bad(
        'too-large',
        valid(EVENT_EXAMPLES['contact.offered'], { pad: pad(LIMITS.EVENT_MAX_BYTES) }),
        'large',
      ),
    ),
  },
  {
    name: 'headers larger than a dead-letter record keeps, a key larger than it keeps',
    contacts: [
      {
        key: 'k'.repeat(4_096),
        value: 'not json',
        headers: { big: pad(20_000), other: 'x' },
        expect: 'not-json',
      },
    ],
    agents: [{ key: 'h', value: 'not json', headers: { big: pad(20_000) }, expect: 'not-json' }],
  },
  {
    name: 'wrong topics and Avro without a registry',
    contacts: [
      bad('wrong-topic', valid(loggedIn('w-1', 'w', T))),
      bad('wrong-topic', valid(EVENT_EXAMPLES['group.upserted'])),
      bad('avro', Buffer.from([0, 0, 0, 0, 1, 2, 3, 4])),
    ],
    agents: [
      bad('wrong-topic', valid(offered('w-1', 'w', 'g', T))),
      bad('avro', Buffer.from([0, 0, 0, 0, 1, 2, 3, 4])),
    ],
  },
  {
    name: `a contact with more than CONTACT_MAX_EVENTS (${LIMITS.CONTACT_MAX_EVENTS}) events`,
    contacts: [
      ok(valid(offered('m-1', 'many', 'many', T)), 'many'),
      ok(
        valid({
          eventId: 'm-2',
          type: 'contact.answered',
          occurredAt: '2020-01-01T10:00:10Z',
          contactId: 'many',
          agentId: 'many-agent',
          ringMs: 1_000,
        }),
        'many',
      ),
      ok(
        valid({
          eventId: 'm-3',
          type: 'contact.ended',
          occurredAt: '2020-01-01T10:05:00Z',
          contactId: 'many',
          outcome: 'HANDLED',
          talkMs: 200_000,
          holdMs: 0,
        }),
        'many',
      ),
      ok(
        valid({
          eventId: 'm-4',
          type: 'contact.wrappedUp',
          occurredAt: '2020-01-01T10:06:00Z',
          contactId: 'many',
          agentId: 'many-agent',
          wrapUpMs: 60_000,
        }),
        'many',
      ),
      // beyond the bound: refused, whatever they would have changed
      {
        ...ok(valid(offered('m-5', 'many', 'many-moved', '2020-01-01T11:00:00Z')), 'many'),
        expect: 'limit',
      },
      {
        ...ok(
          valid({
            eventId: 'm-6',
            type: 'contact.ended',
            occurredAt: '2020-01-01T10:07:00Z',
            contactId: 'many',
            outcome: 'BOT_CLOSED',
          }),
          'many',
        ),
        expect: 'limit',
      },
      // an event already merged is a duplicate, not one more
      ok(valid(offered('m-1', 'many', 'many', T)), 'many'),
    ],
    // an agent has no such bound
    agents: Array.from({ length: 20 }, (_, i) =>
      ok(
        valid(
          stateChanged(
            `busy-${i}`,
            'busy',
            `B${i}`,
            new Date(Date.parse(T) + i * 1_000).toISOString(),
          ),
        ),
        'busy',
      ),
    ),
    async effect() {
      const [row] = await waitForReceived('many', '2020-01-01', 1);
      expect(row?.notUniqueTreated).toBe(1);
      expect(await receivedBy('many-moved', '2020-01-01')).toEqual([]);
      await waitForState('busy', 'B19');
    },
  },
  {
    name: 'a chat spanning centuries',
    contacts: [
      ok(
        valid(offered('long-o', 'long', 'chat-long', '1970-01-01T00:00:00Z', { channel: 'CHATS' })),
        'long',
      ),
      ok(
        valid({
          eventId: 'long-a',
          type: 'contact.answered',
          occurredAt: '1970-01-01T00:00:10Z',
          contactId: 'long',
          agentId: 'long-agent',
          ringMs: 10_000,
        }),
        'long',
      ),
      ok(
        valid({
          eventId: 'long-n',
          type: 'contact.ended',
          occurredAt: '2099-12-31T23:59:59.999Z',
          contactId: 'long',
          outcome: 'HANDLED',
          talkMs: 604_800_000,
          holdMs: 604_800_000,
        }),
        'long',
      ),
      ok(
        valid({
          eventId: 'long-w',
          type: 'contact.wrappedUp',
          occurredAt: '2099-12-31T23:59:59.999Z',
          contactId: 'long',
          agentId: 'long-agent',
          wrapUpMs: 604_800_000,
        }),
        'long',
      ),
    ],
    agents: [
      ok(valid(loggedIn('long-i', 'long-agent', '1970-01-01T00:00:00Z')), 'long-agent'),
      ok(
        valid({
          eventId: 'long-x',
          type: 'agent.loggedOut',
          occurredAt: '2099-12-31T23:59:59.999Z',
          agentId: 'long-agent',
        }),
        'long-agent',
      ),
    ],
    async effect() {
      const [row] = await waitForReceived('chat-long', '1970-01-01', 1);
      expect(row).toMatchObject({ notUniqueTreated: 1, aht: 10_000 + 2 * 604_800_000 });
      const period = (from: string, to: string): string =>
        `startDate=${from}T00:00:00Z&endDate=${to}T00:00:00Z&agentId=long-agent`;
      // CONTACT_MAX_SPAN = 1 day: the chat counts in its first two UTC days only, from
      // whatever day a request starts
      const chats = await waitFor(async () => {
        const r = await answer(
          `/historic/agentChatsWorkTime?${period('1970-01-01', '1970-01-10')}`,
        );
        return r.status === 200 ? r.body : undefined;
      });
      expect(chats).toEqual([
        { agentId: 'long-agent', workDate: '1970-01-01', workTime: 86_390_000 },
        { agentId: 'long-agent', workDate: '1970-01-02', workTime: 86_400_000 },
      ]);
      expect(
        (await answer(`/historic/agentChatsWorkTime?${period('1970-01-02', '1970-01-10')}`)).body,
      ).toEqual([{ agentId: 'long-agent', workDate: '1970-01-02', workTime: 86_400_000 }]);
      expect(
        (await answer(`/historic/agentChatsWorkTime?${period('1970-01-03', '1970-01-10')}`)).status,
      ).toBe(404);
      for (const route of ['agentCallsData', 'agentLoginData', 'agentStatusData']) {
        const r = await answer(`/historic/${route}?${period('1970-01-01', '1970-01-02')}`);
        expect(r.status, route).toBe(200);
      }
      for (const day of ['2099-12-31', '2099-12-30'])
        expect((await answer(`/historic/agentLoginData?${period(day, nextDay(day))}`)).status).toBe(
          200,
        );
    },
  },
];

// ---------------------------------------------------------------------------------------

async function send(topic: string, caseName: string, message: Message): Promise<void> {
  const [meta] = await producer.send({
    topic,
    acks: -1,
    messages: [
      {
        key: message.key,
        value: message.value,
        ...(message.headers === undefined ? {} : { headers: message.headers }),
      },
    ],
  });
  if (meta?.baseOffset === undefined)
    throw new Error('the broker did not say where the message went');
  const bytes = message.value === null ? 0 : Buffer.byteLength(message.value);
  sent.push({ topic, offset: meta.baseOffset, message, caseName, bytes });
}

let canaries = 0;
const CANARY_DAY = '2020-01-02';
const timings: { name: string; canaryMs: number }[] = [];

/** The canaries of the n-th case, and the wait for their effects. */
async function canary(): Promise<number> {
  canaries += 1;
  const n = canaries;
  const at = new Date(Date.parse(`${CANARY_DAY}T00:00:00Z`) + n * 60_000).toISOString();
  const started = Date.now();
  await send(
    topics.TOPIC_CONTACT_EVENTS,
    'canary',
    ok(valid(offered(`canary-${n}`, `canary-${n}`, 'canary', at))),
  );
  await send(
    topics.TOPIC_AGENT_EVENTS,
    'canary',
    ok(valid(stateChanged(`canary-${n}`, 'canary-agent', `C${n}`, at)), 'canary-agent'),
  );
  await Promise.all([
    waitForReceived('canary', CANARY_DAY, n),
    waitForState('canary-agent', `C${n}`),
    waitForPush('canary-agent', `C${n}`),
  ]);
  return Date.now() - started;
}

async function expectServicesUp(): Promise<void> {
  for (const s of services) {
    expect(s.proc.hasExited(), `${s.name} exited`).toBe(false);
    expect(isProcessAlive(s.proc.pid), `${s.name} (pid ${s.proc.pid}) is running`).toBe(true);
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status, `${s.name} /healthz`).toBe(200);
    expect(await startTimeOf(s), `${s.name} started once`).toBe(s.startTime);
  }
}

describe('hostile input on the contact and agent topics', () => {
  it('the services start, and the first canaries get through', async () => {
    await canary();
    await expectServicesUp();
  });

  for (const c of cases) {
    it(`${c.name}: the canaries follow within seconds, nothing restarts`, async () => {
      for (const m of c.contacts) await send(topics.TOPIC_CONTACT_EVENTS, c.name, m);
      for (const m of c.agents) await send(topics.TOPIC_AGENT_EVENTS, c.name, m);
      const canaryMs = await canary();
      timings.push({ name: c.name, canaryMs });
      await c.effect?.();
      await expectServicesUp();
    });
  }

  it('dead-letters exactly the refused messages, each record bounded and traceable', async () => {
    await waitForGroupCaughtUp(AGGREGATOR_GROUP, [
      topics.TOPIC_CONTACT_EVENTS,
      topics.TOPIC_AGENT_EVENTS,
    ]);
    await waitForGroupCaughtUp(EMITTER_GROUP, [topics.TOPIC_AGENT_EVENTS]);
    const records = await readTopicMessages(topics.TOPIC_DEAD_LETTER);

    const expected = new Map<string, Kind>();
    for (const s of sent) {
      if (s.message.expect === 'accepted') continue;
      expected.set(`${AGGREGATOR_GROUP} ${s.topic} ${s.offset}`, s.message.expect);
      // the emitter reads the agent topic only, and has no bound of the aggregation
      if (s.topic === topics.TOPIC_AGENT_EVENTS && s.message.expect !== 'limit')
        expected.set(`${EMITTER_GROUP} ${s.topic} ${s.offset}`, s.message.expect);
    }
    const actual = new Map<string, string>();
    const text = (m: KafkaMessage, name: string): string => m.headers?.[name]?.toString() ?? '';
    for (const m of records) {
      const bytes =
        (m.key?.length ?? 0) +
        (m.value?.length ?? 0) +
        Object.entries(m.headers ?? {}).reduce(
          (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v?.toString() ?? ''),
          0,
        );
      expect(bytes).toBeLessThanOrEqual(LIMITS.DEAD_LETTER_MAX_BYTES);
      expect(m.key?.length ?? 0).toBeLessThanOrEqual(1_024);
      const topic = text(m, DLQ_HEADERS.topic);
      const offset = text(m, DLQ_HEADERS.offset);
      expect([topics.TOPIC_CONTACT_EVENTS, topics.TOPIC_AGENT_EVENTS]).toContain(topic);
      expect(text(m, DLQ_HEADERS.partition)).toBe('0');
      expect(offset).toMatch(/^\d+$/);
      expect(text(m, DLQ_HEADERS.reason).length).toBeGreaterThan(0);
      expect(text(m, DLQ_HEADERS.reason).length).toBeLessThanOrEqual(1_000);
      expect(Number.isFinite(Date.parse(text(m, DLQ_HEADERS.rejectedAt)))).toBe(true);
      // the original, or its beginning and its size
      const original = sent.find((s) => s.topic === topic && s.offset === offset);
      expect(original, `${topic}@${offset}`).toBeDefined();
      if (original !== undefined && (m.value?.length ?? 0) < original.bytes)
        expect(text(m, DLQ_HEADERS.originalBytes)).toBe(String(original.bytes));
      if (original?.message.headers !== undefined)
        expect(text(m, DLQ_HEADERS.headersDropped)).not.toBe('');
      actual.set(
        `${text(m, DLQ_HEADERS.consumerGroup)} ${topic} ${offset}`,
        text(m, DLQ_HEADERS.kind),
      );
    }
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));

    // by kind, per consumer group: the same counts the services report
    const count = (map: ReadonlyMap<string, string>, group: string): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const [key, kind] of map)
        if (key.startsWith(`${group} `)) out[kind] = (out[kind] ?? 0) + 1;
      return out;
    };
    for (const [group, name] of [
      [AGGREGATOR_GROUP, 'aggregator'],
      [EMITTER_GROUP, 'emitter'],
    ] as const) {
      const reported = Object.fromEntries(
        await metricByLabel(service(name).url, 'wfm_events_rejected_total', 'kind'),
      );
      expect(count(actual, group), name).toEqual(count(expected, group));
      expect(reported, name).toEqual(count(expected, group));
    }
    await expectServicesUp();
    expect(timings.every((t) => t.canaryMs < 10_000)).toBe(true);
  });
});
