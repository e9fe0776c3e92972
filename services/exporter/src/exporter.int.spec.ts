import fs from 'node:fs';
import path from 'node:path';

import { HOUR_MS, MINUTE_MS, TimeZone } from '@wfm-stream/core';
import { silentLogger } from '@wfm-stream/observability';
import { scratchDir, uniqueName, waitFor } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  calabrioQueueFile,
  dropFiles,
  RecordSource,
  type RunningExporter,
  startExporter,
} from './index.js';
import { simulate } from './testing/events.js';
import { ExporterFixture } from './testing/fixture.js';

const fx = new ExporterFixture();
const berlin = TimeZone.of('Europe/Berlin')!;
// 10:20 in Berlin on a Monday; 10:00–10:15 CEST closed 5 minutes ago
const NOW = Date.UTC(2024, 5, 3, 8, 20);
const dir = scratchDir('wfm-export');
let exporter: RunningExporter;

beforeAll(async () => {
  await fx.start({
    zone: berlin,
    events: simulate(berlin, NOW - 4 * HOUR_MS, NOW),
    producer: false,
  });
  exporter = await startExporter(
    fx.config({
      TIMEZONE: 'Europe/Berlin',
      EXPORT_CONSUMER_GROUP: uniqueName('exporter'),
      EXPORT_TARGETS: JSON.stringify([
        { name: 'drop', kind: 'file-drop', directory: path.join(dir, 'drop') },
        {
          name: 'queue-file',
          kind: 'calabrio-queue-file',
          directory: path.join(dir, 'calabrio'),
          timeZone: 'local',
        },
      ]),
    }),
    silentLogger(),
    { now: () => NOW },
  );
});

afterAll(async () => {
  await exporter.stop();
  await fx.stop();
});

describe('the exporter', () => {
  it('schedules the closed interval and delivers it to every target, files written whole', async () => {
    const interval = { startMs: NOW - 20 * MINUTE_MS, endMs: NOW - 5 * MINUTE_MS };
    const [records] = await new RecordSource(fx.redis, fx.keys).compute([interval]);
    const expectedDrop = dropFiles(records!);
    const expectedQueue = calabrioQueueFile(records!, {
      target: 'queue-file',
      separator: ';',
      timeZone: 'local',
      zone: berlin,
      queueCodes: {},
    });
    await waitFor(
      () =>
        fs.existsSync(path.join(dir, 'calabrio', expectedQueue.name)) &&
        expectedDrop.every((f) => fs.existsSync(path.join(dir, 'drop', f.name))),
      { message: 'the files of 08:00Z' },
    );
    for (const f of expectedDrop)
      expect(fs.readFileSync(path.join(dir, 'drop', f.name), 'utf8')).toBe(f.content);
    expect(fs.readFileSync(path.join(dir, 'calabrio', expectedQueue.name), 'utf8')).toBe(
      expectedQueue.content,
    );
    expect(expectedQueue.content).toMatch(/^15;20240603;10:00;/);
    // no temporary file is left behind
    expect(fs.readdirSync(path.join(dir, 'drop')).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'drop'))).toHaveLength(3);
  });

  it('answers /healthz, /readyz and /metrics', async () => {
    const base = `http://127.0.0.1:${exporter.opsPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, {
      message: 'ready',
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^wfm_export_scheduler_leader\{[^}]*\} 1$/m);
    expect(metrics).toMatch(/wfm_export_jobs_enqueued_total\{[^}]*reason="scheduled"[^}]*\} 1/);
  });
});
