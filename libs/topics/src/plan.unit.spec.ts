import { describe, expect, it } from 'vitest';

import { pipelineTopics } from './layout.js';
import { describePlanItem, isNoop, type ObservedTopic, planTopic } from './plan.js';
import type { TopicLayout } from './settings.js';

const layout: TopicLayout = {
  TOPIC_PARTITIONS: 12,
  TOPIC_EXPORT_JOBS_PARTITIONS: 4,
  TOPIC_REPLICATION_FACTOR: 3,
  TOPIC_MIN_INSYNC_REPLICAS: 2,
  TOPIC_EVENTS_RETENTION: 30 * 86_400_000,
  TOPIC_DEAD_LETTER_RETENTION: 30 * 86_400_000,
  TOPIC_EXPORT_JOBS_RETENTION: 7 * 86_400_000,
  TOPIC_EXPORT_DEAD_LETTER_RETENTION: -1,
};
const names = {
  directory: 'cc.directory',
  contacts: 'cc.contact-events',
  agents: 'cc.agent-events',
  deadLetter: 'cc.dead-letter',
  exportJobs: 'cc.export-jobs',
  exportDeadLetter: 'cc.export-dead-letter',
};
const [contacts] = pipelineTopics(names, layout);
if (contacts === undefined) throw new Error('no topics');

function observed(overrides: Partial<ObservedTopic> = {}): ObservedTopic {
  return {
    name: contacts!.name,
    partitions: 12,
    replicationFactor: 3,
    config: { ...contacts!.config, 'segment.bytes': '1073741824' },
    topicConfig: { ...contacts!.config },
    ...overrides,
  };
}

describe('the pipeline topic layout', () => {
  it('lays out every topic from the settings', () => {
    const topics = pipelineTopics(names, layout);
    expect(topics.map((t) => [t.name, t.partitions, t.replicationFactor])).toEqual([
      ['cc.contact-events', 12, 3],
      ['cc.agent-events', 12, 3],
      ['cc.directory', 1, 3],
      ['cc.dead-letter', 1, 3],
      ['cc.export-jobs', 4, 3],
      ['cc.export-dead-letter', 1, 3],
    ]);
    expect(topics[2]?.config).toEqual({ 'min.insync.replicas': '2', 'cleanup.policy': 'compact' });
    expect(topics[0]?.config['retention.ms']).toBe(String(30 * 86_400_000));
    expect(topics[5]?.config['retention.ms']).toBe('-1');
  });
});

describe('planning a topic', () => {
  it('creates a missing topic, unless the cluster has too few brokers for its replication', () => {
    expect(planTopic(contacts, undefined, { brokers: 3 })).toMatchObject({
      create: true,
      problems: [],
    });
    const refused = planTopic(contacts, undefined, { brokers: 1 });
    expect(refused.create).toBe(false);
    expect(refused.problems[0]).toMatch(/needs 3 brokers; the cluster has 1/);
  });

  it('changes nothing when the topic is as configured', () => {
    const item = planTopic(contacts, observed(), { brokers: 3 });
    expect(isNoop(item)).toBe(true);
    expect(item.problems).toEqual([]);
    expect(describePlanItem(item, true)).toEqual(['cc.contact-events: as configured']);
  });

  it('plans config changes, comparing effective values', () => {
    const item = planTopic(
      contacts,
      observed({ config: { ...contacts.config, 'retention.ms': '604800000' } }),
      { brokers: 3 },
    );
    expect(item.configChanges).toEqual([
      { name: 'retention.ms', from: '604800000', to: String(30 * 86_400_000) },
    ]);
    expect(describePlanItem(item, false)).toEqual([
      `cc.contact-events: set retention.ms=${30 * 86_400_000} (was 604800000)`,
    ]);
  });

  it('adds partitions only when allowed, and reports what it leaves alone', () => {
    const fewer = observed({ partitions: 6 });
    const refused = planTopic(contacts, fewer, { brokers: 3 });
    expect(refused.growTo).toBeUndefined();
    expect(refused.problems[0]).toMatch(/has 6 partitions.*--allow-partition-increase/);
    expect(planTopic(contacts, fewer, { brokers: 3, allowPartitionIncrease: true })).toMatchObject({
      growTo: 12,
      problems: [],
    });
    const more = planTopic(contacts, observed({ partitions: 24 }), { brokers: 3 });
    expect(more.problems).toEqual([]);
    expect(more.notes[0]).toMatch(/more is harmless/);
    const rf = planTopic(contacts, observed({ replicationFactor: 1 }), { brokers: 3 });
    expect(rf.problems[0]).toMatch(/replication factor 1.*reassignment/);
    expect(describePlanItem(rf, true)[0]).toMatch(/NOT CHANGED/);
  });
});
