import { createRegistry, silentLogger } from '@wfm-stream/observability';
import { EVENT_EXAMPLES, type WfmEvent } from '@wfm-stream/schemas';
import {
  createTopics,
  endOffsets,
  readTopicMessages,
  testKafka,
  uniqueName,
  waitFor,
} from '@wfm-stream/testing';
import { afterAll, describe, expect, it } from 'vitest';

import {
  type BatchHandler,
  ConsumerMetrics,
  createProducer,
  DeadLetterPublisher,
  DLQ_HEADERS,
  type EventBatch,
  EventConsumer,
  type EventConsumerOptions,
  EventDecoder,
} from './index.js';

const kafka = testKafka();
const producer = createProducer(kafka, { idempotent: true });
const stopAfter: { stop(): Promise<void> }[] = [];

afterAll(async () => {
  for (const s of stopAfter) await s.stop();
  await producer.disconnect();
});

/** A contacts topic and a dead-letter topic of the test's own, the producer connected. */
async function freshTopics(
  contactsConfig?: Record<string, string>,
): Promise<{ contacts: string; dlq: string }> {
  const contacts = uniqueName('contacts');
  const dlq = uniqueName('dlq');
  await createTopics([
    { name: contacts, partitions: 1, ...(contactsConfig && { config: contactsConfig }) },
    { name: dlq, partitions: 1 },
  ]);
  await producer.connect();
  return { contacts, dlq };
}

/**
 * A started consumer of `contacts` in a group of its own, dead-lettering to `dlq` (JSON
 * decoding, silent logs unless `options` say otherwise); stopped after the file.
 */
async function startConsumer(
  topics: { contacts: string; dlq: string },
  handler: BatchHandler,
  options: Partial<EventConsumerOptions> & { deadLetterMaxBytes?: number } = {},
): Promise<{ groupId: string }> {
  const groupId = uniqueName('group');
  const { deadLetterMaxBytes, ...rest } = options;
  const consumer = new EventConsumer({
    kafka,
    groupId,
    topics: [{ topic: topics.contacts, stream: 'contacts' }],
    handler,
    decoder: new EventDecoder(),
    deadLetter: new DeadLetterPublisher(producer, topics.dlq, groupId, deadLetterMaxBytes),
    logger: silentLogger(),
    ...rest,
  });
  stopAfter.push(consumer);
  await consumer.start();
  return { groupId };
}

const ended = (eventId: string): string =>
  JSON.stringify({ ...EVENT_EXAMPLES['contact.ended'], eventId });

describe('EventConsumer', () => {
  it('sends each kind of bad input to the dead-letter topic and goes on', async () => {
    const topics = await freshTopics();
    const { contacts, dlq } = topics;
    const good = (n: number): WfmEvent => ({
      ...EVENT_EXAMPLES['contact.offered'],
      eventId: `good-${n}`,
    });
    const bad: { kind: string; value: Buffer | null; reason: RegExp }[] = [
      { kind: 'not-json', value: Buffer.from('{"eventId": '), reason: /neither JSON nor Avro/ },
      {
        kind: 'unknown-type',
        value: Buffer.from(JSON.stringify({ ...good(0), type: 'contact.parked' })),
        reason: /unknown type/,
      },
      {
        kind: 'invalid',
        value: Buffer.from(
          JSON.stringify({
            eventId: 'x',
            type: 'contact.answered',
            occurredAt: '2020-01-01T00:00:00Z',
            contactId: 'c',
          }),
        ),
        reason: /agentId is required/,
      },
      {
        kind: 'invalid',
        value: Buffer.from(JSON.stringify({ ...EVENT_EXAMPLES['contact.ended'], talkMs: -1 })),
        reason: /talkMs must not be negative/,
      },
      {
        kind: 'wrong-topic',
        value: Buffer.from(JSON.stringify(EVENT_EXAMPLES['agent.loggedIn'])),
        reason: /belongs on the agents topic/,
      },
      { kind: 'empty', value: null, reason: /no value/ },
      { kind: 'avro', value: Buffer.from([0, 0, 0, 0, 7, 2, 4]), reason: /no SCHEMA_REGISTRY_URL/ },
    ];
    const messages = [
      { key: 'k0', value: JSON.stringify(good(1)) },
      ...bad.map((b, i) => ({ key: `bad-${i}`, value: b.value, headers: { origin: 'test' } })),
      { key: 'k1', value: JSON.stringify(good(2)) },
    ];
    await producer.send({ topic: contacts, messages });

    const registry = createRegistry('test');
    const metrics = new ConsumerMetrics(registry);
    const received: EventBatch[] = [];
    const { groupId } = await startConsumer(
      topics,
      (batch) => {
        received.push(batch);
        return Promise.resolve();
      },
      { metrics },
    );

    const events = await waitFor(() => {
      const all = received.flatMap((b) => b.events.map((e) => e.event.eventId));
      return all.length >= 2 && all;
    });
    expect(events).toEqual(['good-1', 'good-2']);

    const dead = await readTopicMessages(dlq, { count: bad.length, kafka });
    expect(dead).toHaveLength(bad.length);
    dead.forEach((message, i) => {
      const expected = bad[i]!;
      const header = (name: string): string | undefined => message.headers?.[name]?.toString();
      expect(message.key?.toString()).toBe(`bad-${i}`);
      expect(message.value).toEqual(expected.value);
      expect(header(DLQ_HEADERS.kind)).toBe(expected.kind);
      expect(header(DLQ_HEADERS.reason)).toMatch(expected.reason);
      expect(header(DLQ_HEADERS.topic)).toBe(contacts);
      expect(header(DLQ_HEADERS.partition)).toBe('0');
      expect(header(DLQ_HEADERS.offset)).toBe(String(i + 1));
      expect(header(DLQ_HEADERS.consumerGroup)).toBe(groupId);
      expect(header('origin')).toBe('test');
    });

    const rejected = await metrics.rejected.get();
    const byKind = Object.fromEntries(rejected.values.map((v) => [String(v.labels.kind), v.value]));
    expect(byKind).toEqual({
      'not-json': 1,
      'unknown-type': 1,
      invalid: 2,
      'wrong-topic': 1,
      empty: 1,
      avro: 1,
    });
  });

  it('retries a failing batch in place and loses nothing', async () => {
    const contacts = uniqueName('contacts');
    await createTopics([{ name: contacts, partitions: 1 }]);
    await producer.connect();
    await producer.send({
      topic: contacts,
      messages: [1, 2, 3].map((n) => ({ key: 'k', value: ended(`e${n}`) })),
    });
    let failures = 2;
    const seen: string[] = [];
    await startConsumer({ contacts, dlq: uniqueName('dlq') }, (batch) => {
      if (failures > 0) {
        failures--;
        return Promise.reject(new Error('Connection is closed.'));
      }
      seen.push(...batch.events.map((e) => e.event.eventId));
      return Promise.resolve();
    });
    await waitFor(() => seen.length >= 3);
    expect(seen).toEqual(['e1', 'e2', 'e3']);
    expect(failures).toBe(0);
  });

  it('sets aside an event whose handling keeps failing in a way retrying cannot fix, and applies the rest', async () => {
    const topics = await freshTopics();
    const { contacts, dlq } = topics;
    const ids = ['a', 'poison', 'b'];
    await producer.send({
      topic: contacts,
      messages: ids.map((id) => ({ key: 'k', value: ended(id) })),
    });
    const applied: string[] = [];
    let calls = 0;
    await startConsumer(
      topics,
      (batch) => {
        calls++;
        // a bug that only this event's data triggers: retrying never fixes it
        if (batch.events.some((e) => e.event.eventId === 'poison'))
          return Promise.reject(new TypeError("Cannot read properties of undefined (reading 'x')"));
        applied.push(...batch.events.map((e) => e.event.eventId));
        return Promise.resolve();
      },
      { poisonMaxAttempts: 2, backoff: { initialMs: 10, maxMs: 50 } },
    );
    await waitFor(() => applied.length >= 2);
    expect(applied.sort()).toEqual(['a', 'b']);
    const [dead] = await readTopicMessages(dlq, { count: 1, kafka });
    expect(dead?.headers?.[DLQ_HEADERS.kind]?.toString()).toBe('unprocessable');
    expect(dead?.headers?.[DLQ_HEADERS.reason]?.toString()).toMatch(
      /processing failed 2 times: TypeError: Cannot read properties/,
    );
    expect(dead?.headers?.[DLQ_HEADERS.offset]?.toString()).toBe('1');
    // bounded: the batch twice, then each event, the poison one twice
    expect(calls).toBeLessThanOrEqual(2 + 4);
    // and the partition goes on
    await producer.send({ topic: contacts, messages: [{ key: 'k', value: ended('after') }] });
    await waitFor(() => applied.includes('after'));
  });

  it('waits out a dependency however long it is away: nothing is set aside', async () => {
    const topics = await freshTopics();
    const { contacts, dlq } = topics;
    await producer.send({
      topic: contacts,
      messages: [{ key: 'k', value: JSON.stringify(EVENT_EXAMPLES['contact.ended']) }],
    });
    let failures = 8;
    const applied: string[] = [];
    await startConsumer(
      topics,
      (batch) => {
        if (failures-- > 0)
          return Promise.reject(
            Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), {
              code: 'ECONNREFUSED',
            }),
          );
        applied.push(...batch.events.map((e) => e.event.eventId));
        return Promise.resolve();
      },
      { poisonMaxAttempts: 2, backoff: { initialMs: 10, maxMs: 50 } },
    );
    await waitFor(() => applied.length >= 1);
    expect(await endOffsets(kafka, dlq)).toBe(0);
  });

  it('refuses hostile messages without stopping: 100,000 levels deep, over EVENT_MAX_BYTES; each dead-letter record fits', async () => {
    const topics = await freshTopics({ 'max.message.bytes': String(4 * 1024 * 1024) });
    const { contacts, dlq } = topics;
    const deep = `{"eventId":"d","occurredAt":"2020-01-01T00:00:00Z","type":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const huge = JSON.stringify({ ...EVENT_EXAMPLES['contact.ended'], pad: 'x'.repeat(2_000_000) });
    await producer.send({
      topic: contacts,
      messages: [
        { key: 'deep', value: deep },
        { key: 'huge', value: huge },
        { key: 'k', value: ended('canary') },
      ],
    });
    const applied: string[] = [];
    const maxBytes = 256 * 1024;
    await startConsumer(
      topics,
      (batch) => {
        applied.push(...batch.events.map((e) => e.event.eventId));
        return Promise.resolve();
      },
      {
        decoder: new EventDecoder(undefined, { maxBytes: 1_000_000 }),
        deadLetterMaxBytes: maxBytes,
      },
    );
    await waitFor(() => applied.includes('canary'), { message: 'the canary after them' });
    const dead = await readTopicMessages(dlq, { count: 2, kafka });
    const byKey = new Map(dead.map((m) => [m.key?.toString(), m]));
    const header = (key: string, name: string): string | undefined =>
      byKey.get(key)?.headers?.[name]?.toString();
    expect(header('deep', DLQ_HEADERS.kind)).toBe('unknown-type');
    expect(header('huge', DLQ_HEADERS.kind)).toBe('too-large');
    expect(header('huge', DLQ_HEADERS.reason)).toMatch(
      /at most 1000000 are read \(EVENT_MAX_BYTES\)/,
    );
    expect(header('huge', DLQ_HEADERS.originalBytes)).toBe(String(Buffer.byteLength(huge)));
    expect(header('huge', DLQ_HEADERS.offset)).toBe('1');
    for (const message of dead) expect(message.value?.length ?? 0).toBeLessThan(maxBytes);
  });
});
