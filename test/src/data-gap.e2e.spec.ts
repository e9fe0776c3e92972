import { createLogger, type Logger } from '@wfm-stream/observability';
import { messageKey, type WfmEvent } from '@wfm-stream/schemas';
import { GapRecords } from '@wfm-stream/store';
import { testKafka, uniqueName, waitFor, waitForGroupCaughtUp } from '@wfm-stream/testing';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { READER_KEY, readerOn } from './support/answers.js';
import { metricByLabel, metricTotal } from './support/metrics.js';
import { pipelineStack } from './support/stack.js';
import { syntheticTraffic } from './support/traffic.js';

/**
 * docs/architecture.md, "When data is missing", and docs/api.md, "Incomplete data":
 * records deleted from a contacts partition before the aggregator's group read them are
 * counted exactly, logged, recorded, and the reader marks the historic answers whose
 * period overlaps the stretch of record time they covered, and only those.
 */

const stack = pipelineStack();
const { topics, streams } = stack;
const ns = stack.namespace();
const group = uniqueName('gap');
const settings = {
  ...stack.env,
  REDIS_KEY_PREFIX: ns.prefix,
  CONSUMER_GROUP: group,
  HTTP_PORT: '0',
  // the default: the test reads the aggregator's own log lines
  LOG_LEVEL: 'info',
};

/** The log lines of a logger, as objects. */
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('aggregator', 'warn', {
    write(line: string) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { logger, lines };
}

/**
 * Sends the events in the order they happened, each record stamped with its event's time,
 * as the platform does when it publishes events as they happen (record times are what
 * `X-WFM-Incomplete` speaks of).
 */
async function publishInTime(topic: string, events: readonly WfmEvent[]): Promise<void> {
  const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 2_000)
      await producer.send({
        topic,
        messages: events.slice(i, i + 2_000).map((e) => ({
          key: messageKey(e),
          value: JSON.stringify(e),
          timestamp: String(Date.parse(e.occurredAt)),
        })),
      });
  } finally {
    await producer.disconnect();
  }
}

const byTime = (events: readonly WfmEvent[]): WfmEvent[] =>
  [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('records deleted before the aggregator read them', () => {
  it('are counted, logged and recorded exactly, and mark the answers of their time only', async () => {
    // record times from 2024: nothing is left to retention but the deletion under test
    const kept = { 'retention.ms': '-1' };
    await stack.createTopics({ contacts: 3, agents: 3, eventConfig: kept });
    const start = Date.UTC(2024, 0, 8, 6, 0);
    const traffic = syntheticTraffic({ seed: 5, contacts: 1_500, startMs: start, hours: 12 });
    const cut = start + 4 * HOUR;
    const before = (e: WfmEvent): boolean => Date.parse(e.occurredAt) < cut;
    const contacts = byTime(traffic.contacts);
    const agents = byTime(traffic.agents);

    // 1. the first four hours are read and committed
    await publishInTime(topics.TOPIC_DIRECTORY, traffic.directory);
    await publishInTime(topics.TOPIC_CONTACT_EVENTS, contacts.filter(before));
    await publishInTime(topics.TOPIC_AGENT_EVENTS, agents.filter(before));
    const first = await stack.aggregator(settings, capturingLogger().logger);
    await waitForGroupCaughtUp(group, streams, { timeoutMs: 60_000 });
    await first.stop();

    // 2. the rest is published while the aggregator is away, and half of what partition 0
    // of the contacts received meanwhile is deleted before the group reads it
    await publishInTime(
      topics.TOPIC_CONTACT_EVENTS,
      contacts.filter((e) => !before(e)),
    );
    await publishInTime(
      topics.TOPIC_AGENT_EVENTS,
      agents.filter((e) => !before(e)),
    );
    const admin = testKafka().admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({
      groupId: group,
      topics: [topics.TOPIC_CONTACT_EVENTS],
    });
    const from = Number(committed?.partitions.find((p) => p.partition === 0)?.offset);
    const end = Number(
      (await admin.fetchTopicOffsets(topics.TOPIC_CONTACT_EVENTS)).find((o) => o.partition === 0)
        ?.high,
    );
    const to = from + Math.floor((end - from) / 2);
    expect(to - from).toBeGreaterThan(10);
    await admin.deleteTopicRecords({
      topic: topics.TOPIC_CONTACT_EVENTS,
      partitions: [{ partition: 0, offset: String(to) }],
    });
    await admin.disconnect();

    // 3. the aggregator comes back: the gap is counted, exactly, in the topic's counter
    const { logger, lines } = capturingLogger();
    const second = await stack.aggregator(settings, logger);
    const ops = `http://127.0.0.1:${second.opsPort}`;
    const gapsByTopic = await waitFor(
      async () => {
        const counted = await metricByLabel(ops, 'wfm_consumer_gap_records_total');
        return (counted.get(topics.TOPIC_CONTACT_EVENTS) ?? 0) > 0 ? counted : undefined;
      },
      { timeoutMs: 30_000, message: 'the aggregator to count the gap' },
    );
    expect(gapsByTopic.get(topics.TOPIC_CONTACT_EVENTS)).toBe(to - from);
    expect(gapsByTopic.get(topics.TOPIC_AGENT_EVENTS)).toBe(0);
    expect(gapsByTopic.get(topics.TOPIC_DIRECTORY)).toBe(0);
    // a gap, not a loss of state: nothing is consumed again
    expect(await metricTotal(ops, 'wfm_consumer_state_losses_total')).toBe(0);
    await waitForGroupCaughtUp(group, streams, { timeoutMs: 60_000 });

    // logged with its figures
    const logged = lines.filter((l) => String(l.msg).startsWith('records were lost'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      topic: topics.TOPIC_CONTACT_EVENTS,
      partition: 0,
      group,
      fromOffset: from,
      toOffset: to,
      records: to - from,
    });
    // recorded for the reader, with the record times around the hole
    const [gap, ...others] = await new GapRecords(ns.redis, ns.prefix, 60).list();
    expect(others).toEqual([]);
    expect(gap).toMatchObject({
      topic: topics.TOPIC_CONTACT_EVENTS,
      partition: 0,
      fromOffset: from,
      toOffset: to,
    });
    const lostFrom = gap?.beforeMs ?? Number.NaN;
    const lostTo = gap?.afterMs ?? Number.NaN;
    // the last record read before the hole is of the first four hours, the first after it later
    expect(lostFrom).toBeGreaterThanOrEqual(start);
    expect(lostFrom).toBeLessThan(cut);
    expect(lostTo).toBeGreaterThanOrEqual(cut);
    expect(lostTo).toBeGreaterThan(lostFrom);
    // a gap does not make the aggregator unready, and /readyz names it (a fixed word, no
    // text: docs/security.md, "What the probes say"); the detail is in the counter, the
    // log and the record above
    const ready = await fetch(`${ops}/readyz`);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual(['components', 'live', 'ready', 'warnings']);
    expect(report.warnings).toEqual(['data-gap']);

    // 4. the reader marks the answers whose period overlaps the lost stretch, only those
    const reader = await readerOn(ns.prefix);
    try {
      const headers = { 'x-api-key': READER_KEY };
      const floorHour = (ms: number): number => Math.floor(ms / HOUR) * HOUR;
      const ceilHour = (ms: number): number => Math.ceil(ms / HOUR) * HOUR;
      const periods = {
        affected: [floorHour(lostFrom), ceilHour(lostTo)],
        earlier: [start, floorHour(lostFrom)],
        later: [ceilHour(lostTo), start + 14 * HOUR],
      } as const;
      const groups = traffic.groupIds.join(',');
      const agentIds = traffic.agentIds.join(',');
      const marks: Record<string, (string | undefined)[]> = {};
      for (const [name, [a, b]] of Object.entries(periods)) {
        const period = `startDate=${iso(a)}&endDate=${iso(b)}`;
        marks[name] = [];
        for (const url of [
          `/historic/serviceGroupData?${period}&step=900000&groupId=${groups}`,
          `/historic/agentCallsData?${period}&agentId=${agentIds}`,
        ]) {
          const response = await reader.app.inject({ method: 'GET', url, headers });
          expect(response.statusCode, url).toBe(200);
          const mark = response.headers['x-wfm-incomplete'];
          marks[name].push(typeof mark === 'string' ? mark : undefined);
        }
      }
      const stretch = `${new Date(lostFrom).toISOString()}/${new Date(lostTo).toISOString()}`;
      expect(marks).toEqual({
        affected: [stretch, stretch],
        earlier: [undefined, undefined],
        later: [undefined, undefined],
      });
      // online answers describe the present: never marked
      const online = await reader.app.inject({
        method: 'GET',
        url: `/online/groupsOnlineLoad?groupId=${groups}`,
        headers,
      });
      expect(online.statusCode).toBe(200);
      expect(online.headers['x-wfm-incomplete']).toBeUndefined();
    } finally {
      await reader.stop();
    }
  });
});
