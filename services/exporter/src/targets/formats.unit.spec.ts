import { TimeZone } from '@wfm-stream/core';
import type { IntervalRecords } from '@wfm-stream/export';
import { describe, expect, it } from 'vitest';

import {
  calabrioJsonRequests,
  calabrioQueueFile,
  dropFiles,
  fnv1a31,
  idempotencyKey,
  pipkinsJsonBody,
  queueCode,
  targetsSetting,
} from '../index.js';

const START = '2024-03-31T00:45:00Z';
const records: IntervalRecords = {
  interval: { startMs: Date.parse(START), endMs: Date.parse(START) + 15 * 60_000 },
  queueStatistics: [
    {
      intervalStartDateTime: START,
      queueId: 'sales',
      queueName: 'Sales',
      offeredContacts: 4,
      answeredContacts: 3,
      contactTime: 91,
    },
    {
      intervalStartDateTime: START,
      queueId: '7',
      queueName: 'Support; 2nd line',
      offeredContacts: 0,
      answeredContacts: 0,
      contactTime: 0,
    },
  ],
  agentActivity: [
    {
      intervalStartDateTime: START,
      queueId: 'sales',
      queueName: 'Sales',
      agentId: 'a1',
      agentName: 'j.smith',
      contactTime: 301,
      answeredContacts: 3,
      completedContacts: 1,
    },
  ],
  agentLogin: [
    {
      intervalStartDateTime: START,
      agentId: 'a1',
      agentName: 'j.smith',
      loginTime: 900,
      directOutContacts: 2,
    },
  ],
};

describe('calabrio-json', () => {
  it('posts each record set as a JSON array in the field names of services/exporter/README.md, to its own path', () => {
    const requests = calabrioJsonRequests(records, {
      queueStatistics: 'queue-statistics',
      agentActivity: 'agent-activity',
      agentLogin: 'agent-login',
    });
    expect(requests.map((r) => [r.set, r.path])).toEqual([
      ['queueStatistics', 'queue-statistics'],
      ['agentActivity', 'agent-activity'],
      ['agentLogin', 'agent-login'],
    ]);
    expect(requests[0]?.body).toBe(
      '[{"intervalStartDateTime":"2024-03-31T00:45:00Z","queueId":"sales","queueName":"Sales","offeredContacts":4,"answeredContacts":3,"contactTime":91},' +
        '{"intervalStartDateTime":"2024-03-31T00:45:00Z","queueId":"7","queueName":"Support; 2nd line","offeredContacts":0,"answeredContacts":0,"contactTime":0}]',
    );
    expect(requests[1]?.body).toBe(
      '[{"intervalStartDateTime":"2024-03-31T00:45:00Z","queueId":"sales","queueName":"Sales","agentId":"a1","agentName":"j.smith","contactTime":301,"answeredContacts":3,"completedContacts":1}]',
    );
    expect(requests[2]?.body).toBe(
      '[{"intervalStartDateTime":"2024-03-31T00:45:00Z","agentId":"a1","agentName":"j.smith","loginTime":900,"directOutContacts":2}]',
    );
  });

  it('sends empty sets too, so a restated interval clears what it lost', () => {
    const empty = { ...records, queueStatistics: [], agentActivity: [], agentLogin: [] };
    const requests = calabrioJsonRequests(empty, {
      queueStatistics: 'q',
      agentActivity: 'a',
      agentLogin: 'l',
    });
    expect(requests.map((r) => r.body)).toEqual(['[]', '[]', '[]']);
  });
});

describe('pipkins-json', () => {
  it('posts one document per interval with the three sets', () => {
    const body = JSON.parse(pipkinsJsonBody(records)) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'intervalStartDateTime',
      'intervalEndDateTime',
      'queueStatistics',
      'agentActivity',
      'agentLogin',
    ]);
    expect(body.intervalStartDateTime).toBe('2024-03-31T00:45:00Z');
    expect(body.intervalEndDateTime).toBe('2024-03-31T01:00:00Z');
    expect(body.queueStatistics).toEqual(records.queueStatistics);
    expect(body.agentActivity).toEqual(records.agentActivity);
    expect(body.agentLogin).toEqual(records.agentLogin);
  });
});

describe('calabrio-queue-file', () => {
  const berlin = TimeZone.of('Europe/Berlin')!;
  const options = {
    target: 'calabrio',
    separator: ';' as const,
    timeZone: 'utc' as const,
    zone: berlin,
    queueCodes: { sales: 101 },
  };

  it('writes one row of 21 fields per queue, no header, ordered by queue number', () => {
    const file = calabrioQueueFile(records, options);
    expect(file.content).toBe(
      '15;20240331;00:45;7;Support  2nd line;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0\n' +
        '15;20240331;00:45;101;Sales;4;0;0;0;3;0;0;91;0;0;0;0;0;0;0;0\n',
    );
    for (const line of file.content.trimEnd().split('\n')) expect(line.split(';')).toHaveLength(21);
    expect(file.name).toMatch(/^calabrio-20240331-0045-[0-9a-f]{16}\.csv$/);
  });

  it('writes local date and time when asked (01:45 CET, the last quarter before the spring gap)', () => {
    const file = calabrioQueueFile(records, { ...options, timeZone: 'local', separator: ',' });
    expect(file.content.split('\n')[1]).toBe(
      '15,20240331,01:45,101,Sales,4,0,0,0,3,0,0,91,0,0,0,0,0,0,0,0',
    );
    expect(file.name).toMatch(/^calabrio-20240331-0145-/);
  });

  it('numbers queues: configured, numeric ids as they are, else a stable hash', () => {
    expect(queueCode('sales', { sales: 101 })).toBe(101);
    expect(queueCode('42', {})).toBe(42);
    expect(queueCode('support', {})).toBe(fnv1a31('support'));
    expect(fnv1a31('support')).toBeGreaterThanOrEqual(0);
    expect(fnv1a31('support')).toBeLessThanOrEqual(2_147_483_647);
    expect(fnv1a31('a')).toBe(0xe40c292c & 0x7fffffff);
  });

  it('writes nothing for an interval without queue records', () => {
    expect(calabrioQueueFile({ ...records, queueStatistics: [] }, options).content).toBe('');
  });
});

describe('file-drop', () => {
  it('writes one pretty JSON array per record set, named by interval and set', () => {
    const files = dropFiles(records);
    expect(files.map((f) => f.name)).toEqual([
      '20240331T0045Z-queue-statistics.json',
      '20240331T0045Z-agent-activity.json',
      '20240331T0045Z-agent-login.json',
    ]);
    expect(JSON.parse(files[2]!.content)).toEqual(records.agentLogin);
    expect(files[2]!.content).toBe(
      '[\n  {\n    "intervalStartDateTime": "2024-03-31T00:45:00Z",\n    "agentId": "a1",\n    "agentName": "j.smith",\n    "loginTime": 900,\n    "directOutContacts": 2\n  }\n]\n',
    );
  });
});

describe('idempotency keys', () => {
  it('name target, interval, part and content', () => {
    expect(idempotencyKey('pipkins', START, 'abc')).toBe('pipkins:2024-03-31T00:45:00Z:abc');
    expect(idempotencyKey('calabrio', START, 'abc', 'agentLogin')).toBe(
      'calabrio:2024-03-31T00:45:00Z:agentLogin:abc',
    );
  });
});

describe('EXPORT_TARGETS', () => {
  const parse = (value: unknown) => targetsSetting().safeParse(JSON.stringify(value));
  const messages = (value: unknown): string[] => {
    const result = parse(value);
    return result.success ? [] : result.error.issues.map((i) => i.message);
  };

  it('accepts every kind with its defaults', () => {
    const result = parse([
      { name: 'calabrio', kind: 'calabrio-json', url: 'https://wfm.example/api', bearerToken: 't' },
      { name: 'pipkins', kind: 'pipkins-json', url: 'http://p/x', username: 'u', password: 'p' },
      { name: 'queue-file', kind: 'calabrio-queue-file', directory: '/var/export' },
      { name: 'drop', kind: 'file-drop', directory: '/var/drop' },
    ]);
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(result.data[0]).toMatchObject({ paths: { queueStatistics: 'queue-statistics' } });
    expect(result.data[2]).toMatchObject({ timeZone: 'utc', separator: ';', queueCodes: {} });
  });

  it('takes basic credentials in the URL, or beside it, and never quotes them', () => {
    expect(messages([{ name: 'x', kind: 'pipkins-json', url: 'https://u:s3cret@wfm/x' }])).toEqual(
      [],
    );
    const both = messages([
      { name: 'x', kind: 'pipkins-json', url: 'https://u:s3cret@wfm/x', bearerToken: 't' },
    ]);
    expect(both).toEqual([
      '[0].url carries credentials: give them in the URL or as username/bearerToken, not both',
    ]);
  });

  it('says what is wrong, naming the target and field', () => {
    expect(targetsSetting().safeParse('nope').success).toBe(false);
    expect(messages([{ name: 'x', kind: 'calabrio-json', url: 'ftp://x' }])).toEqual([
      '[0].url must be an http(s) URL',
    ]);
    expect(messages([{ name: 'x', kind: 'pipkins-json', url: 'http://x', username: 'u' }])).toEqual(
      ['[0].password is required with username'],
    );
    expect(messages([{ name: 'x', kind: 'calabrio-queue-file' }])).toEqual([
      '[0] needs exactly one of directory and url',
    ]);
    expect(messages([{ name: 'x', kind: 'fax' }])[0]).toMatch(/^\[0\]\.kind/);
    expect(
      messages([
        { name: 'x', kind: 'file-drop', directory: '/a' },
        { name: 'x', kind: 'file-drop', directory: '/b' },
      ]),
    ).toEqual(['names the target "x" twice']);
    expect(messages([{ name: 'a b', kind: 'file-drop', directory: '/a' }])[0]).toMatch(
      /^\[0\]\.name/,
    );
  });
});
