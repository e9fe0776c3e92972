import path from 'node:path';

import {
  aggregatorConfigSchema,
  type RunningAggregator,
  startAggregator,
} from '@wfm-stream/aggregator';
import { REPO_DIR } from '@wfm-stream/cli';
import { loadConfig } from '@wfm-stream/config';
import { spawnManaged } from '@wfm-stream/local-stack';
import { silentLogger } from '@wfm-stream/observability';
import { readerConfigSchema, startReader } from '@wfm-stream/reader';
import { GenerationPointer } from '@wfm-stream/store';
import {
  createTopics,
  redisNamespace,
  testKafka,
  testStack,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
} from '@wfm-stream/testing';
import { Partitioners } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';

import { allAnswers } from './support/answers.js';
import { sendEvents } from './support/publish.js';
import { syntheticTraffic } from './support/traffic.js';

/**
 * `wfm-stream rebuild --from <time>` on real Kafka: the rebuild's consumer group starts
 * at the offsets the broker gives for that time (ListOffsets by timestamp), so the new
 * generation holds what was appended from then on, and the directory whole. The
 * reference is an aggregator that only ever saw those same events.
 */
const CLI = path.join(REPO_DIR, 'services', 'cli', 'dist', 'main.js');
const stack = testStack();
const deployment = redisNamespace();
const reference = redisNamespace();
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await deployment.cleanup();
  await reference.cleanup();
});

function topicSet() {
  return {
    TOPIC_DIRECTORY: uniqueName('directory'),
    TOPIC_CONTACT_EVENTS: uniqueName('contacts'),
    TOPIC_AGENT_EVENTS: uniqueName('agents'),
    TOPIC_DEAD_LETTER: uniqueName('dlq'),
  };
}

async function create(topics: ReturnType<typeof topicSet>): Promise<void> {
  await createTopics([
    { name: topics.TOPIC_DIRECTORY, partitions: 1 },
    { name: topics.TOPIC_CONTACT_EVENTS, partitions: 3 },
    { name: topics.TOPIC_AGENT_EVENTS, partitions: 3 },
    { name: topics.TOPIC_DEAD_LETTER, partitions: 1 },
  ]);
}

const env = (topics: ReturnType<typeof topicSet>, prefix: string) => ({
  ...topics,
  KAFKA_BROKERS: stack.kafkaBrokers.join(','),
  REDIS_URL: stack.redisUrl,
  REDIS_KEY_PREFIX: prefix,
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: '0',
  LOG_LEVEL: 'warn',
  CONSUMER_SESSION_TIMEOUT: '6s',
});

describe('wfm-stream rebuild --from', () => {
  it('rebuilds what was appended from that time on, with the whole directory', async () => {
    const traffic = syntheticTraffic({ seed: 29, contacts: 2_000, groups: 6, agents: 12 });
    const half = (items: readonly unknown[]): number => Math.floor(items.length / 2);
    const contactsAfter = traffic.contacts.slice(half(traffic.contacts));
    const agentsAfter = traffic.agents.slice(half(traffic.agents));

    const live = topicSet();
    const only = topicSet();
    await create(live);
    await create(only);
    const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    closers.push(() => producer.disconnect());

    // the deployment's topics: the directory, history before the cut, then what follows
    await sendEvents(producer, live.TOPIC_DIRECTORY, traffic.directory);
    await sendEvents(
      producer,
      live.TOPIC_CONTACT_EVENTS,
      traffic.contacts.slice(0, half(traffic.contacts)),
    );
    await sendEvents(
      producer,
      live.TOPIC_AGENT_EVENTS,
      traffic.agents.slice(0, half(traffic.agents)),
    );
    // the cut: a millisecond after the last record before it was appended
    const cut = Date.now() + 1;
    await waitFor(() => Date.now() > cut, { intervalMs: 1, message: 'the clock past the cut' });
    await sendEvents(producer, live.TOPIC_CONTACT_EVENTS, contactsAfter);
    await sendEvents(producer, live.TOPIC_AGENT_EVENTS, agentsAfter);

    // the reference: the directory and only what follows the cut
    await sendEvents(producer, only.TOPIC_DIRECTORY, traffic.directory);
    await sendEvents(producer, only.TOPIC_CONTACT_EVENTS, contactsAfter);
    await sendEvents(producer, only.TOPIC_AGENT_EVENTS, agentsAfter);
    const referenceGroup = uniqueName('reference');
    const aggregator: RunningAggregator = await startAggregator(
      loadConfig(aggregatorConfigSchema, {
        ...env(only, reference.prefix),
        CONSUMER_GROUP: referenceGroup,
      }),
      silentLogger(),
    );
    closers.push(() => aggregator.stop());

    const rebuild = spawnManaged(
      'rebuild',
      process.execPath,
      [CLI, 'rebuild', '--from', new Date(cut).toISOString(), '--max-lag', '0'],
      { env: { ...process.env, ...env(live, deployment.prefix) }, pipe: true },
    );
    let output = '';
    rebuild.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    rebuild.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    closers.push(() => rebuild.stop({ signal: 'SIGKILL' }));
    const status = await rebuild.exited;
    expect(status.code, output).toBe(0);
    expect(output).toContain(`from ${new Date(cut).toISOString()}`);
    const directoryAndAfter = traffic.directory.length + contactsAfter.length + agentsAfter.length;
    expect(output).toContain(`from ${directoryAndAfter.toLocaleString('en-US')} events`);
    expect(await new GenerationPointer(deployment.redis, deployment.prefix).read()).toBe('g1');

    await waitForGroupCaughtUp(referenceGroup, [
      only.TOPIC_DIRECTORY,
      only.TOPIC_CONTACT_EVENTS,
      only.TOPIC_AGENT_EVENTS,
    ]);
    const period = {
      groupIds: traffic.groupIds,
      agentIds: traffic.agentIds,
      startDate: '2024-01-08T00:00:00Z',
      endDate: '2024-01-10T00:00:00Z',
    };
    const answers = async (prefix: string) => {
      const reader = await startReader(
        loadConfig(readerConfigSchema, {
          REDIS_URL: stack.redisUrl,
          REDIS_KEY_PREFIX: prefix,
          READER_API_KEYS: 'k',
          HTTP_PORT: '0',
          HTTP_HOST: '127.0.0.1',
          LOG_LEVEL: 'silent',
        }),
        silentLogger(),
      );
      try {
        return await allAnswers(reader.app, { 'x-api-key': 'k' }, period);
      } finally {
        await reader.stop();
      }
    };
    const expected = await answers(reference.prefix);
    const actual = await answers(deployment.prefix);
    // (the half after the cut may hold no finished login: a 404 then, in both)
    for (const [url, answer] of Object.entries(expected)) expect(actual[url], url).toEqual(answer);
    // and the cut mattered: contacts offered before it are not counted
    const received = Object.entries(actual)
      .filter(([url]) => url.includes('serviceGroupData') && url.includes('step=900000'))
      .flatMap(([, answer]) => answer.body as { historicData: { notUniqueReceived: number }[] }[])
      .flatMap((group) => group.historicData)
      .reduce((sum, row) => sum + row.notUniqueReceived, 0);
    const offered = (events: readonly { type: string }[]): number =>
      events.filter((e) => e.type === 'contact.offered').length;
    expect(received).toBeLessThan(offered(traffic.contacts));
    expect(received).toBeGreaterThan(0);
  });
});
