import { testKafka, testStack, uniqueName } from '@wfm-stream/testing';
import { ensureTopics, observeTopics, pipelineTopics, type TopicSpec } from '@wfm-stream/topics';
import kafkajs, { type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `ensureTopics` against the run's real broker: the one path that creates topics. */
const stack = testStack();
let admin: Admin;

beforeAll(async () => {
  admin = testKafka().admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
});

function layoutOf(partitions: number, eventsRetention: number) {
  return {
    TOPIC_PARTITIONS: partitions,
    TOPIC_EXPORT_JOBS_PARTITIONS: 2,
    TOPIC_REPLICATION_FACTOR: stack.replicationFactor,
    TOPIC_MIN_INSYNC_REPLICAS: 1,
    TOPIC_EVENTS_RETENTION: eventsRetention,
    TOPIC_DEAD_LETTER_RETENTION: 86_400_000,
    TOPIC_EXPORT_JOBS_RETENTION: 86_400_000,
    TOPIC_EXPORT_DEAD_LETTER_RETENTION: -1,
  };
}

function names() {
  return {
    directory: uniqueName('directory'),
    contacts: uniqueName('contacts'),
    agents: uniqueName('agents'),
    deadLetter: uniqueName('dlq'),
    exportJobs: uniqueName('jobs'),
    exportDeadLetter: uniqueName('parked'),
  };
}

describe('topics ensure', () => {
  it('creates the pipeline topics as configured, and a second run changes nothing', async () => {
    const specs = pipelineTopics(names(), layoutOf(3, 86_400_000));
    const first = await ensureTopics(admin, specs);
    expect(first).toMatchObject({ ok: true, changed: true });
    expect(first.items.every((i) => i.create)).toBe(true);

    const seen = await observeTopics(
      admin,
      specs.map((s) => s.name),
    );
    for (const spec of specs) {
      const topic = seen.get(spec.name);
      expect(topic?.partitions, spec.name).toBe(spec.partitions);
      expect(topic?.replicationFactor, spec.name).toBe(stack.replicationFactor);
      for (const [name, value] of Object.entries(spec.config))
        expect(topic?.config[name], `${spec.name} ${name}`).toBe(value);
    }
    const second = await ensureTopics(admin, specs);
    expect(second).toMatchObject({ ok: true, changed: false });
  });

  it('brings configs in line, keeping the other configs set on the topic', async () => {
    const n = names();
    await ensureTopics(admin, pipelineTopics(n, layoutOf(2, 86_400_000)));
    // an operator set something of their own on the topic
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: n.contacts,
          configEntries: [
            { name: 'retention.ms', value: '86400000' },
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'min.insync.replicas', value: '1' },
            { name: 'max.message.bytes', value: '2000000' },
          ],
        },
      ],
    });
    const wanted = pipelineTopics(n, layoutOf(2, 7 * 86_400_000));
    const dry = await ensureTopics(admin, wanted, { dryRun: true });
    const contactsItem = dry.items.find((i) => i.spec.name === n.contacts);
    expect(contactsItem?.configChanges).toEqual([
      { name: 'retention.ms', from: '86400000', to: String(7 * 86_400_000) },
    ]);
    expect(dry.changed).toBe(false);
    expect((await observeTopics(admin, [n.contacts])).get(n.contacts)?.config['retention.ms']).toBe(
      '86400000',
    );

    await ensureTopics(admin, wanted);
    const after = (await observeTopics(admin, [n.contacts])).get(n.contacts);
    expect(after?.config['retention.ms']).toBe(String(7 * 86_400_000));
    expect(after?.config['max.message.bytes']).toBe('2000000');
  });

  it('reports a partition count it does not change, and adds partitions when allowed', async () => {
    const n = names();
    await ensureTopics(admin, pipelineTopics(n, layoutOf(2, 86_400_000)));
    const wanted: TopicSpec[] = pipelineTopics(n, layoutOf(4, 86_400_000));
    const refused = await ensureTopics(admin, wanted);
    expect(refused.ok).toBe(false);
    expect(refused.items.find((i) => i.spec.name === n.contacts)?.problems[0]).toMatch(
      /has 2 partitions, the settings ask for 4/,
    );
    expect((await observeTopics(admin, [n.contacts])).get(n.contacts)?.partitions).toBe(2);

    const grown = await ensureTopics(admin, wanted, { allowPartitionIncrease: true });
    expect(grown.ok).toBe(true);
    expect((await observeTopics(admin, [n.contacts])).get(n.contacts)?.partitions).toBe(4);
  });
});
