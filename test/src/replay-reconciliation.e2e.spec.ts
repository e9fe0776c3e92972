import fs from 'node:fs';

import { BUNDLED_CALL_LOG, loadBundledCallLog, planReplay } from '@wfm-stream/replay';
import { testKafka, uniqueName, waitForGroupCaughtUp } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { publishReplay } from './support/publish.js';
import { pipelineStack } from './support/stack.js';

const stack = pipelineStack();
const { topics } = stack;
const ns = stack.namespace();
const group = uniqueName('aggregator');

/** Straight from the file: per group, the calls of 1999-02-01 that reached the group (offer time on that Israel day). */
function countsFromFile(): Record<
  string,
  { received: number; treated: number; missed: number; unique: number }
> {
  const seconds = (t: string): number => {
    const [h = 0, m = 0, s = 0] = t.split(':').map(Number);
    return h * 3_600 + m * 60 + s;
  };
  const rows = fs
    .readFileSync(BUNDLED_CALL_LOG, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  const counts: Record<
    string,
    { received: number; treated: number; missed: number; customers: Set<string>; anonymous: number }
  > = {};
  for (const [
    ,
    ,
    customer = '0',
    ,
    type = '',
    date,
    vruEntry = '',
    vruExit = '',
    ,
    qStart = '',
    ,
    ,
    outcome,
  ] of rows) {
    if (date !== '990201') continue;
    const queued = qStart !== '0:00:00';
    if (outcome === 'PHANTOM' || (outcome === 'HANG' && !queued)) continue; // bot-closed, or never reached a group
    const offer = seconds(queued ? qStart : vruExit);
    if (offer < seconds(vruEntry) - 43_200) continue; // offered after midnight: the next day
    const c = (counts[type] ??= {
      received: 0,
      treated: 0,
      missed: 0,
      customers: new Set(),
      anonymous: 0,
    });
    c.received++;
    if (outcome === 'AGENT') c.treated++;
    else c.missed++;
    if (customer === '0') c.anonymous++;
    else c.customers.add(customer);
  }
  return Object.fromEntries(
    Object.entries(counts).map(([type, c]) => [
      type,
      {
        received: c.received,
        treated: c.treated,
        missed: c.missed,
        unique: c.anonymous + c.customers.size,
      },
    ]),
  );
}

describe('the real call log, replayed', () => {
  it('gives day totals per group that reconcile with counts taken from the file', async () => {
    await stack.createTopics({ contacts: 4, agents: 2 });
    const plan = planReplay(loadBundledCallLog(), { from: '1999-01-31', to: '1999-02-02' });
    await publishReplay(
      testKafka(),
      [...plan.directory, ...plan.events],
      {
        directory: topics.TOPIC_DIRECTORY,
        contacts: topics.TOPIC_CONTACT_EVENTS,
        agents: topics.TOPIC_AGENT_EVENTS,
      },
      1_000,
    );

    const env = {
      ...stack.env,
      REDIS_KEY_PREFIX: ns.prefix,
      CONSUMER_GROUP: group,
      TIMEZONE: 'Asia/Jerusalem',
      HTTP_PORT: '0',
      READER_API_KEYS: 'k',
      LOG_LEVEL: 'silent',
      // the production default: these consumers are never stopped mid-stream
      CONSUMER_SESSION_TIMEOUT: '30s',
    };
    await stack.aggregator(env);
    const reader = await stack.reader(env);
    await waitForGroupCaughtUp(group, stack.streams, {
      timeoutMs: 90_000,
    });

    const expected = countsFromFile();
    const response = await reader.app.inject({
      url: `/historic/serviceGroupData?startDate=1999-02-01T00:00:00%2B02:00&endDate=1999-02-02T00:00:00%2B02:00&step=86400000&groupId=${Object.keys(expected).join(',')}`,
      headers: { 'x-api-key': 'k' },
    });
    expect(response.statusCode).toBe(200);
    const rows = response.json<
      {
        groupId: string;
        serviceId: string;
        historicData: {
          startInterval: string;
          notUniqueReceived: number;
          notUniqueTreated: number;
          notUniqueMissed: number;
          receivedCalls: number;
        }[];
      }[]
    >();
    const actual = Object.fromEntries(
      rows.map((r) => {
        expect(r.serviceId).toBe('bank');
        expect(r.historicData).toHaveLength(1);
        const d = r.historicData[0]!;
        expect(d.startInterval).toBe('1999-02-01T00:00:00+02:00');
        return [
          r.groupId,
          {
            received: d.notUniqueReceived,
            treated: d.notUniqueTreated,
            missed: d.notUniqueMissed,
            unique: d.receivedCalls,
          },
        ];
      }),
    );
    expect(actual).toEqual(expected);
    expect(Object.values(expected).reduce((n, c) => n + c.received, 0)).toBeGreaterThan(1_000);
  });
});
