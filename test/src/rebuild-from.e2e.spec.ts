import { spawnManaged } from '@wfm-stream/local-stack';
import { GenerationPointer } from '@wfm-stream/store';
import { testKafka, waitFor, waitForGroupCaughtUp } from '@wfm-stream/testing';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { answersOn, trafficPeriod } from './support/answers.js';
import { sendEvents } from './support/publish.js';
import { CLI_MAIN } from './support/services.js';
import { pipelineStack, teardownAfterAll } from './support/stack.js';
import { syntheticTraffic } from './support/traffic.js';

/**
 * `wfm-stream rebuild --from <time>` on real Kafka: the rebuild's consumer group starts
 * at the offsets the broker gives for that time (ListOffsets by timestamp), so the new
 * generation holds what was appended from then on, and the directory whole. The
 * reference is an aggregator that only ever saw those same events.
 */
const teardown = teardownAfterAll();
// the deployment, rebuilt from its topics, and the reference, on topics of its own
const liveStack = pipelineStack({ teardown });
const onlyStack = pipelineStack({ teardown });
const { topics: live } = liveStack;
const { topics: only } = onlyStack;
const deployment = liveStack.namespace();
const reference = onlyStack.namespace();

describe('wfm-stream rebuild --from', () => {
  it('rebuilds what was appended from that time on, with the whole directory', async () => {
    const traffic = syntheticTraffic({ seed: 29, contacts: 2_000, groups: 6, agents: 12 });
    const half = (items: readonly unknown[]): number => Math.floor(items.length / 2);
    const contactsAfter = traffic.contacts.slice(half(traffic.contacts));
    const agentsAfter = traffic.agents.slice(half(traffic.agents));

    await liveStack.createTopics({ contacts: 3, agents: 3 });
    await onlyStack.createTopics({ contacts: 3, agents: 3 });
    const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    teardown.add(() => producer.disconnect());

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
    const aggregator = await onlyStack.reference(reference.prefix);

    const rebuild = spawnManaged(
      'rebuild',
      process.execPath,
      [CLI_MAIN, 'rebuild', '--from', new Date(cut).toISOString(), '--max-lag', '0'],
      {
        env: {
          ...process.env,
          ...liveStack.env,
          REDIS_KEY_PREFIX: deployment.prefix,
          HTTP_PORT: '0',
        },
        pipe: true,
      },
    );
    let output = '';
    rebuild.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    rebuild.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    teardown.add(() => rebuild.stop({ signal: 'SIGKILL' }));
    const status = await rebuild.exited;
    expect(status.code, output).toBe(0);
    expect(output).toContain(`from ${new Date(cut).toISOString()}`);
    const directoryAndAfter = traffic.directory.length + contactsAfter.length + agentsAfter.length;
    expect(output).toContain(`from ${directoryAndAfter.toLocaleString('en-US')} events`);
    expect(await new GenerationPointer(deployment.redis, deployment.prefix).read()).toBe('g1');

    await waitForGroupCaughtUp(aggregator.group, onlyStack.streams);
    const expected = await answersOn(reference.prefix, trafficPeriod(traffic));
    const actual = await answersOn(deployment.prefix, trafficPeriod(traffic));
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
