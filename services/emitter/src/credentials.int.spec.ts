import os from 'node:os';

import { createProducer } from '@wfm-stream/kafka';
import { accepts } from '@wfm-stream/local-stack';
import { createLogger } from '@wfm-stream/observability';
import {
  captureLog,
  createTopics,
  redisNamespace,
  testKafka,
  testStack,
  uniqueName,
  waitFor,
} from '@wfm-stream/testing';
import { type RunningSink, startWfmSink } from '@wfm-stream/wfm-sink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type RunningEmitter, startEmitter } from './emitter.js';
import { emitterTestConfig } from './testing/config.js';

/**
 * WFM_STATUS_URL with credentials, and the ops port's default address
 * (docs/security.md): the credentials reach the WFM, never the log; the probes and
 * metrics listen on loopback only.
 */
const STATUS_PATH = '/ccwfm/api/rest/status';
const SECRET = 's3cret-Pa55';
const stack = testStack();
const ns = redisNamespace(stack);
const kafka = testKafka(stack);
const producer = createProducer(kafka, { idempotent: true });
const log = captureLog();
let sink: RunningSink;
let emitter: RunningEmitter;
let topic: string;

beforeAll(async () => {
  topic = uniqueName('agents');
  const dlq = uniqueName('dlq');
  await createTopics([
    { name: topic, partitions: 1 },
    { name: dlq, partitions: 1 },
  ]);
  await producer.connect();
  sink = await startWfmSink();
  emitter = await startEmitter(
    // no OPS_HOST (nor HTTP_HOST): the defaults
    emitterTestConfig(
      {
        stack,
        keyPrefix: ns.prefix,
        topic,
        deadLetterTopic: dlq,
        group: uniqueName('emitter'),
      },
      { WFM_STATUS_URL: `http://wfm:${SECRET}@${sink.url.slice('http://'.length)}${STATUS_PATH}` },
    ),
    createLogger('emitter', 'debug', log.stream),
  );
});

afterAll(async () => {
  await emitter.stop();
  await sink.stop();
  await producer.disconnect();
  await ns.cleanup();
});

describe('an emitter whose WFM_STATUS_URL carries credentials', () => {
  it('pushes with basic authorization, and logs the URL without them', async () => {
    await producer.send({
      topic,
      messages: [
        {
          key: 'a1',
          value: JSON.stringify({
            eventId: uniqueName('e'),
            type: 'agent.loggedIn',
            occurredAt: '2024-03-01T08:00:00Z',
            agentId: 'a1',
          }),
        },
      ],
    });
    const [push] = await waitFor(() => {
      const received = sink.received(STATUS_PATH);
      return received.length > 0 && received;
    });
    // the sink records that basic credentials came, not what they were (and the push's key)
    expect(push?.headers).toEqual({
      authorization: '<redacted: Basic>',
      'idempotency-key': expect.stringMatching(/^[\w-]{24}\.1$/) as unknown,
    });

    const started = log.lines
      .map((line) => JSON.parse(line) as { msg: string; wfm?: string })
      .find((line) => line.msg === 'emitter started');
    expect(started?.wfm).toBe(`http://***@${sink.url.slice('http://'.length)}${STATUS_PATH}`);
    expect(log.lines.join('')).not.toContain(SECRET);
  });
});

describe('the emitter’s ops port by default', () => {
  it('answers on loopback and on no other interface', async () => {
    expect(await accepts('127.0.0.1', emitter.opsPort)).toBe(true);
    const ok = await fetch(`http://127.0.0.1:${emitter.opsPort}/healthz`);
    expect(ok.status).toBe(200);
    const others = Object.values(os.networkInterfaces())
      .flatMap((list) => list ?? [])
      .filter((i) => i.family === 'IPv4' && !i.internal)
      .map((i) => i.address);
    // a machine with only loopback has nothing else to try; the address it bound says it all
    for (const address of others)
      expect(await accepts(address, emitter.opsPort), address).toBe(false);
    expect(emitter.opsHost).toBe('127.0.0.1');
  });
});
