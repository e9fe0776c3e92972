import { HOUR_MS, MINUTE_MS, TimeZone } from '@wfm-stream/core';
import { encodeJob, newJob, reexportJobs } from '@wfm-stream/export';
import { freePort } from '@wfm-stream/local-stack';
import { silentLogger } from '@wfm-stream/observability';
import { uniqueName, waitFor } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type RunningExporter, startExporter } from './index.js';
import { simulate } from './testing/events.js';
import { ExporterFixture } from './testing/fixture.js';
import { TestTarget } from './testing/http-target.js';

const fx = new ExporterFixture();
const { producer, topics, queue } = fx;
const Q = 15 * MINUTE_MS;
const FROM = Date.UTC(2024, 5, 3, 9, 0);
let port: number;
let target: TestTarget | undefined;
let exporter: RunningExporter;

beforeAll(async () => {
  await fx.start({
    zone: TimeZone.UTC,
    events: simulate(TimeZone.UTC, FROM - HOUR_MS, FROM + HOUR_MS),
  });
  port = await freePort(); // nothing listens here yet: the target is down
  exporter = await startExporter(
    fx.config({
      EXPORT_CONSUMER_GROUP: uniqueName('exporter'),
      EXPORT_ROLES: 'worker',
      EXPORT_MAX_ATTEMPTS: '3',
      EXPORT_RETRY_INITIAL: '10ms',
      EXPORT_RETRY_MAX: '50ms',
      EXPORT_TARGETS: JSON.stringify([
        { name: 'pipkins', kind: 'pipkins-json', url: `http://127.0.0.1:${port}/import` },
      ]),
    }),
    silentLogger(),
  );
});

afterAll(async () => {
  await exporter.stop();
  await target?.stop();
  await fx.stop();
});

describe('a target that is down', () => {
  it('has its jobs parked after the last attempt, and delivered once re-driven when it is up', async () => {
    const jobs = reexportJobs({
      zone: TimeZone.UTC,
      stepMs: Q,
      fromMs: FROM,
      toMs: FROM + 3 * Q,
      targets: ['pipkins'],
      nowMs: FROM + HOUR_MS,
    })!;
    await queue.enqueue(jobs);
    await waitFor(async () => (await fx.deadLetters()) === 3, { message: '3 parked jobs' });

    const parked = await queue.parked();
    expect(parked.map((p) => [p.id, p.target, p.intervalStart, p.attempts, p.kind])).toEqual(
      jobs.map((j) => [j.id, 'pipkins', j.intervalStart, 3, 'delivery-failed']),
    );
    for (const p of parked)
      expect(p.reason).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/import failed: ECONNREFUSED/);

    target = await TestTarget.start(port);
    const first = await queue.redrive({ all: true }, FROM + 2 * HOUR_MS);
    expect(first.redriven.map((r) => [r.parked.id, r.job.redriveOf, r.job.reason])).toEqual(
      jobs.map((j) => [j.id, j.id, 'redrive']),
    );
    await waitFor(() => target?.taken().length === 3, {
      message: '3 deliveries',
    });
    const received = target.taken();
    expect(
      received.map((r) => r.idempotencyKey.slice(0, r.idempotencyKey.lastIndexOf(':'))),
    ).toEqual(jobs.map((j) => `pipkins:${j.intervalStart}`));

    // re-driven jobs are re-driven once: nothing is left parked, a second re-drive does nothing
    expect((await queue.redrive({ all: true })).redriven).toEqual([]);
    expect((await queue.redrive({ jobId: jobs[0]!.id })).notFound).toBe(jobs[0]!.id);
    expect(target.taken()).toHaveLength(3);
  });

  it('parks at once what no attempt can fix: a refused body, an unknown target, a non-job', async () => {
    const before = await fx.deadLetters();
    target!.behaviour = () => 'refused';
    const refused = newJob(
      'pipkins',
      { startMs: FROM + 4 * Q, endMs: FROM + 5 * Q },
      'reexport',
      FROM,
    );
    await queue.enqueue([refused]);
    await waitFor(async () => (await fx.deadLetters()) === before + 1, {
      message: 'refused parked',
    });
    const stray = newJob('nobody', { startMs: FROM, endMs: FROM + Q }, 'reexport', FROM);
    await queue.enqueue([stray]);
    await producer.send({
      topic: topics.jobs,
      messages: [{ key: 'x', value: Buffer.from('{"not":"a job"}') }],
    });
    await waitFor(async () => (await fx.deadLetters()) === before + 3, {
      message: '3 more parked',
    });
    const parked = await queue.parked();
    expect(parked.map((p) => [p.target, p.attempts, p.kind])).toEqual([
      ['pipkins', 1, 'rejected'],
      ['nobody', 0, 'unknown-target'],
      ['', 0, 'invalid-job'],
    ]);
    expect(target!.received.filter((r) => r.outcome === 'refused')).toHaveLength(1);
    expect(parked[0]?.reason).toMatch(/answered 400: import refused$/);
    expect(parked[1]?.id).toBe(stray.id);
    expect(parked[2]?.reason).toMatch(/^invalid job: v/);
    const result = await queue.redrive({ jobId: parked[2]!.id });
    expect(result.redriven).toEqual([]);
    expect(result.skipped.map((s) => s.parked.id)).toEqual([parked[2]!.id]);
    expect(encodeJob(stray).key).toBe('nobody');
  });
});
