import type { WfmEvent } from '@wfm-stream/schemas';
import { redisEnv, testKafka, uniqueName, waitFor } from '@wfm-stream/testing';
import { Partitioners, type Producer } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';

import { sendEvents } from './support/publish.js';
import { pipelineStack } from './support/stack.js';

const stack = pipelineStack();
const { topics } = stack;
const ns = stack.namespace();
const env = {
  ...stack.env,
  ...redisEnv(),
  REDIS_KEY_PREFIX: ns.prefix,
  CONSUMER_GROUP: uniqueName('aggregator'),
  HTTP_PORT: '0',
  SYSTEM_ID: 'Test system',
  LOG_LEVEL: 'silent',
  READER_API_KEYS: 'test-key',
  // the production default: these consumers are never stopped mid-stream
  CONSUMER_SESSION_TIMEOUT: '30s',
};
const headers = { 'X-API-Key': 'test-key' };

let producer: Producer;
let readerUrl: string;

beforeAll(async () => {
  await stack.createTopics({ contacts: 3, agents: 3 });
  await stack.aggregator(env);
  const reader = await stack.reader(env);
  readerUrl = `http://127.0.0.1:${reader.port}`;
  producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  stack.onTeardown(() => producer.disconnect());
});

const publish = (topic: string, events: readonly WfmEvent[]): Promise<void> =>
  sendEvents(producer, topic, events);

const contact = (
  id: string,
  group: string,
  minute: number,
  outcome: 'HANDLED' | 'ABANDONED' | null,
  customerId?: string,
): WfmEvent[] => {
  const at = (m: number): string =>
    new Date(Date.UTC(2020, 0, 1, 10, 0) + m * 60_000).toISOString();
  const events: WfmEvent[] = [
    {
      eventId: `${id}-o`,
      type: 'contact.offered',
      occurredAt: at(minute),
      contactId: id,
      groupId: group,
      channel: 'INCOMING_CALLS',
      customerId,
      transferredFromContactId: undefined,
    },
  ];
  if (outcome === 'HANDLED') {
    events.push(
      {
        eventId: `${id}-a`,
        type: 'contact.answered',
        occurredAt: at(minute + 1),
        contactId: id,
        agentId: 'a1',
        ringMs: 1_000,
      },
      {
        eventId: `${id}-e`,
        type: 'contact.ended',
        occurredAt: at(minute + 3),
        contactId: id,
        outcome,
        talkMs: 110_000,
        holdMs: 9_000,
      },
    );
  } else if (outcome === 'ABANDONED') {
    events.push({
      eventId: `${id}-e`,
      type: 'contact.ended',
      occurredAt: at(minute + 2),
      contactId: id,
      outcome,
      talkMs: undefined,
      holdMs: undefined,
    });
  }
  return events;
};

describe('events published to Kafka reach the reader', () => {
  it('answers /historic/serviceGroupData from what the aggregator computed', async () => {
    await publish(topics.TOPIC_DIRECTORY, [
      {
        eventId: 'g1',
        type: 'group.upserted',
        occurredAt: '2020-01-01T00:00:00Z',
        groupId: 'g1',
        serviceId: 's1',
        name: 'One',
        status: 'ACTIVE',
        channelType: 'INCOMING_CALLS',
      },
    ]);
    await publish(topics.TOPIC_CONTACT_EVENTS, [
      ...contact('c1', 'g1', 0, 'HANDLED', 'cust-1'),
      ...contact('c2', 'g1', 5, 'ABANDONED', 'cust-1'),
      ...contact('c3', 'g1', 20, null),
      ...contact('c4', 'g2', 1, 'HANDLED'),
    ]);
    const url = `${readerUrl}/historic/serviceGroupData?startDate=2020-01-01T00:00:00Z&endDate=2020-01-02T00:00:00Z&step=900000&groupId=g1,g2,g3`;
    const expected = [
      {
        serviceId: 's1',
        groupId: 'g1',
        historicData: [
          {
            startInterval: '2020-01-01T10:00:00Z',
            endInterval: '2020-01-01T10:15:00Z',
            notUniqueReceived: 2,
            notUniqueTreated: 1,
            notUniqueMissed: 1,
            receivedCalls: 1,
            treatedCalls: 1,
            missCalls: 0,
            aht: 120_000,
            postProcessing: 0,
          },
          {
            startInterval: '2020-01-01T10:15:00Z',
            endInterval: '2020-01-01T10:30:00Z',
            notUniqueReceived: 1,
            notUniqueTreated: 0,
            notUniqueMissed: 0,
            receivedCalls: 1,
            treatedCalls: 0,
            missCalls: 0,
            aht: 0,
            postProcessing: 0,
          },
        ],
      },
      {
        serviceId: 'Test system',
        groupId: 'g2',
        historicData: [
          {
            startInterval: '2020-01-01T10:00:00Z',
            endInterval: '2020-01-01T10:15:00Z',
            notUniqueReceived: 1,
            notUniqueTreated: 1,
            notUniqueMissed: 0,
            receivedCalls: 1,
            treatedCalls: 1,
            missCalls: 0,
            aht: 120_000,
            postProcessing: 0,
          },
        ],
      },
    ];
    const body = await waitFor(
      async () => {
        const response = await fetch(url, { headers });
        if (response.status !== 200) return undefined;
        const json: unknown = await response.json();
        return JSON.stringify(json) === JSON.stringify(expected) ? json : undefined;
      },
      { timeoutMs: 30_000, message: 'the expected serviceGroupData answer' },
    );
    expect(body).toEqual(expected);
  });

  it('answers bad requests with the error body of docs/api.md', async () => {
    const response = await fetch(
      `${readerUrl}/historic/serviceGroupData?startDate=2020-01-01T00:00:00Z&endDate=2020-01-02T00:00:00Z&step=7&groupId=g1`,
      { headers },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      field: 'step',
      message: 'step is not a valid interval length',
    });
  });

  it('answers 404 when no group has data', async () => {
    const response = await fetch(
      `${readerUrl}/historic/serviceGroupData?startDate=2020-01-01T00:00:00Z&endDate=2020-01-02T00:00:00Z&step=900000&groupId=nobody`,
      { headers },
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ field: 'groupId', message: 'no data' });
  });
});
