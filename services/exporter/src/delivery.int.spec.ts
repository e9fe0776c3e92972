import { HOUR_MS, MINUTE_MS, TimeZone } from '@wfm-stream/core';
import { type ExportJob, intervalName, reexportJobs } from '@wfm-stream/export';
import { silentLogger } from '@wfm-stream/observability';
import { uniqueName, waitFor, waitForGroupCaughtUp } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  calabrioJsonRequests,
  pipkinsJsonBody,
  RecordSource,
  type RunningExporter,
  startExporter,
} from './index.js';
import { simulate } from './testing/events.js';
import { ExporterFixture } from './testing/fixture.js';
import { TestTarget } from './testing/http-target.js';

const fx = new ExporterFixture();
const { topics, queue } = fx;
const group = uniqueName('exporter');
const Q = 15 * MINUTE_MS;
// a Monday morning, 08:00–11:00 UTC: busy intervals
const FROM = Date.UTC(2024, 5, 3, 8, 0);
const TO = FROM + 3 * HOUR_MS;
let target: TestTarget;
let exporter: RunningExporter;

beforeAll(async () => {
  await fx.start({
    zone: TimeZone.UTC,
    events: simulate(TimeZone.UTC, FROM - 2 * HOUR_MS, TO),
    jobPartitions: 2,
  });
  target = await TestTarget.start();
  exporter = await startExporter(
    fx.config({
      EXPORT_CONSUMER_GROUP: group,
      EXPORT_ROLES: 'worker',
      EXPORT_MAX_ATTEMPTS: '10',
      EXPORT_TARGETS: JSON.stringify([
        {
          name: 'pipkins',
          kind: 'pipkins-json',
          url: `${target.url}/pipkins`,
          bearerToken: 's3cret',
        },
        {
          name: 'calabrio',
          kind: 'calabrio-json',
          url: `${target.url}/calabrio/`,
          username: 'wfm',
          password: 'pw',
        },
      ]),
    }),
    silentLogger(),
  );
});

afterAll(async () => {
  await exporter.stop();
  await target.stop();
  await fx.stop();
});

/** The re-export jobs of every interval from FROM to TO, for both targets. */
function reexportAll(): ExportJob[] {
  return reexportJobs({
    zone: TimeZone.UTC,
    stepMs: Q,
    fromMs: FROM,
    toMs: TO,
    targets: ['pipkins', 'calabrio'],
    nowMs: TO,
  })!;
}

/** Distinct idempotency keys taken, per path. */
function keysTaken(pathPrefix: string): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const r of target.taken()) {
    if (!r.path.startsWith(pathPrefix)) continue;
    byKey.set(r.idempotencyKey, [...(byKey.get(r.idempotencyKey) ?? []), r.body]);
  }
  return byKey;
}

describe('delivery to a target that fails intermittently', () => {
  it('ends with every interval received exactly once per target, by idempotency key and content', async () => {
    // every third request fails with a 500; the fifth is taken and then the connection dropped
    target.behaviour = (seq) => (seq === 5 ? 'dropped' : seq % 3 === 0 ? 'failed' : 'accepted');
    const jobs = reexportAll();
    expect(jobs).toHaveLength(24);
    await queue.enqueue(jobs);

    await waitFor(() => keysTaken('/pipkins').size === 12 && keysTaken('/calabrio/').size === 36, {
      timeoutMs: 30_000,
      message: '12 Pipkins and 36 Calabrio deliveries',
    });
    await waitForGroupCaughtUp(group, [topics.jobs]);

    // faults did happen: 500s, and a taken-then-dropped request that came again
    expect(target.received.filter((r) => r.outcome === 'failed').length).toBeGreaterThan(5);
    expect(target.received.some((r) => r.outcome === 'dropped')).toBe(true);
    const taken = target.taken();
    expect(taken.length).toBe(12 + 36 + 1);

    // what each interval's key carries is the interval as the store has it, the same every time
    const source = new RecordSource(fx.redis, fx.keys);
    const intervals = jobs.slice(0, 12).map((j) => ({
      startMs: Date.parse(j.intervalStart),
      endMs: Date.parse(j.intervalEnd),
    }));
    const records = await source.compute(intervals);
    const pipkins = keysTaken('/pipkins');
    const calabrio = keysTaken('/calabrio/');
    for (const r of records) {
      const start = intervalName(r.interval);
      const pipkinsKeys = [...pipkins.keys()].filter((k) => k.startsWith(`pipkins:${start}:`));
      expect(pipkinsKeys).toHaveLength(1);
      expect(new Set(pipkins.get(pipkinsKeys[0]!))).toEqual(new Set([pipkinsJsonBody(r)]));
      const expected = calabrioJsonRequests(r, {
        queueStatistics: 'queue-statistics',
        agentActivity: 'agent-activity',
        agentLogin: 'agent-login',
      });
      for (const request of expected) {
        const keys = [...calabrio.keys()].filter((k) =>
          k.startsWith(`calabrio:${start}:${request.set}:`),
        );
        expect(keys).toHaveLength(1);
        expect(new Set(calabrio.get(keys[0]!))).toEqual(new Set([request.body]));
      }
    }
    expect(records.some((r) => r.queueStatistics.some((q) => q.offeredContacts > 0))).toBe(true);

    // requests carry the target's credentials and JSON
    const sample = taken.find((r) => r.path === '/pipkins');
    expect(sample).toMatchObject({
      authorization: 'Bearer s3cret',
      contentType: 'application/json',
    });
    const basic = taken.find((r) => r.path === '/calabrio/agent-login');
    expect(basic?.authorization).toBe(`Basic ${Buffer.from('wfm:pw').toString('base64')}`);
  });

  it('does not deliver again when the same job messages come again (redelivery after a crash)', async () => {
    target.behaviour = () => 'accepted';
    const before = target.received.length;
    const jobs = reexportAll();
    await queue.enqueue(jobs);
    await waitForGroupCaughtUp(group, [topics.jobs]);
    expect(target.received.length).toBe(before);
    const metrics = await fetch(`http://127.0.0.1:${exporter.opsPort}/metrics`).then((r) =>
      r.text(),
    );
    const unchanged = metrics
      .split('\n')
      .filter(
        (line) => line.startsWith('wfm_export_jobs_total') && line.includes('outcome="unchanged"'),
      )
      .map((line) => Number(line.split(' ').at(-1)));
    expect(unchanged).toEqual([12, 12]);
  });
});
