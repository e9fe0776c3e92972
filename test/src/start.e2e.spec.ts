import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Endpoints } from '@wfm-stream/cli';
import { REPO_DIR } from '@wfm-stream/cli';
import { isProcessAlive } from '@wfm-stream/local-stack';
import { waitFor } from '@wfm-stream/testing';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = path.join(REPO_DIR, 'services', 'cli', 'dist', 'main.js');

interface Started {
  readonly child: ChildProcess;
  readonly stateDir: string;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

const running: Started[] = [];

function startCli(traffic = 'simulate', extra: readonly string[] = []): Started {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-start-'));
  const child = spawn(
    process.execPath,
    [CLI, 'start', '--state-dir', stateDir, '--partitions', '2', '--traffic', traffic, ...extra],
    {
      cwd: REPO_DIR,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  const started = { child, stateDir, output: () => output, exit };
  running.push(started);
  return started;
}

async function endpointsOf(started: Started, timeoutMs = 30_000): Promise<Endpoints> {
  const file = path.join(started.stateDir, 'endpoints.json');
  return waitFor(
    () => fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as Endpoints),
    {
      timeoutMs,
      message: `the endpoints file (output so far: ${started.output()})`,
    },
  );
}

/** The last 24 hours, on whole minutes: the demo traffic starts 24 hours back. */
function lastDay(): string {
  const minute = 60_000;
  const end = Math.ceil((Date.now() + 3_600_000) / minute) * minute;
  return `startDate=${new Date(end - 25 * 3_600_000).toISOString()}&endDate=${new Date(end).toISOString()}`;
}

afterEach(async () => {
  for (const started of running.splice(0)) {
    if (started.child.exitCode === null) started.child.kill('SIGKILL');
    await started.exit;
    fs.rmSync(started.stateDir, { recursive: true, force: true });
  }
});

describe('wfm-stream start', () => {
  it('shows demo data within 30 s, and Ctrl-C leaves nothing running', async () => {
    const t0 = Date.now();
    const started = startCli();
    const endpoints = await endpointsOf(started);
    expect(endpoints.readerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.kafkaBrokers.length).toBeGreaterThan(0);
    expect(endpoints.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const url = `${endpoints.readerUrl}/historic/serviceGroupData?${lastDay()}&step=900000&groupId=sales,support,chat-sales`;
    const data = await waitFor(
      async () => {
        const response = await fetch(url, { headers: endpoints.readerHeaders });
        return response.status === 200 ? ((await response.json()) as unknown[]) : undefined;
      },
      { timeoutMs: 30_000 - (Date.now() - t0), message: 'demo data in serviceGroupData' },
    );
    expect(data.length).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(30_000);

    // the live side: agents are online and their status changes reach the stand-in WFM
    const online = await fetch(`${endpoints.readerUrl}/online/agentStatus`, {
      headers: endpoints.readerHeaders,
    });
    expect(((await online.json()) as unknown[]).length).toBeGreaterThan(0);
    const pushes = await waitFor(
      async () => {
        // exports arrive at the same sink, under other paths
        const response = await fetch(
          `${endpoints.wfmSinkUrl}/_sink/received?path=/ccwfm/api/rest/status`,
        );
        const list = (await response.json()) as { path: string; body: { action: number } }[];
        return list.length > 0 ? list : undefined;
      },
      { timeoutMs: 30_000, message: 'status pushes at the WFM sink' },
    );
    expect(pushes[0]?.path).toBe('/ccwfm/api/rest/status');
    expect([0, 1]).toContain(pushes[0]?.body.action);

    // the printed dashboard address serves the page, and the printed key signs in
    const dashboard = /dashboard \(live\)\s+(\S+)\s+\(sign in with the API key (\S+)\)/.exec(
      started.output(),
    );
    expect(dashboard?.[1]).toBe(`${endpoints.readerUrl}/dashboard`);
    expect((await fetch(dashboard?.[1] ?? '')).status).toBe(200);
    const login = await fetch(`${endpoints.readerUrl}/dashboard/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: dashboard?.[2] }),
    });
    expect(login.status).toBe(204);

    // the exporter delivers the latest closed interval to both JSON targets at the sink
    const exported = await waitFor(
      async () => {
        const response = await fetch(`${endpoints.wfmSinkUrl}/_sink/received`);
        const paths = new Set(((await response.json()) as { path: string }[]).map((r) => r.path));
        const all = [
          '/calabrio/agent-activity',
          '/calabrio/agent-login',
          '/calabrio/queue-statistics',
          '/pipkins',
        ];
        return all.every((p) => paths.has(p)) ? paths : undefined;
      },
      { timeoutMs: 45_000, message: 'interval exports at the WFM sink' },
    );
    expect([...exported].sort()).toEqual([
      '/calabrio/agent-activity',
      '/calabrio/agent-login',
      '/calabrio/queue-statistics',
      '/ccwfm/api/rest/status',
      '/pipkins',
    ]);

    // every service answers its probes and exposes its metrics
    const families: Record<string, string[]> = {
      aggregator: [
        'wfm_events_consumed_total',
        'wfm_batch_size_messages',
        'wfm_batch_processing_seconds',
        'wfm_consumer_lag_messages',
        'wfm_redis_round_trip_seconds',
      ],
      reader: ['wfm_redis_round_trip_seconds'],
      emitter: [
        'wfm_events_consumed_total',
        'wfm_consumer_lag_messages',
        'wfm_emitter_pushes_total',
        'wfm_redis_round_trip_seconds',
      ],
      exporter: ['wfm_export_jobs_total', 'wfm_redis_round_trip_seconds'],
      'wfm-sink': [], // the stand-in WFM has probes but no metrics
    };
    expect(Object.keys(endpoints.services).sort()).toEqual(Object.keys(families).sort());
    for (const [name, service] of Object.entries(endpoints.services)) {
      expect((await fetch(`${service.url}/healthz`)).status, name).toBe(200);
      await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 200, {
        timeoutMs: 10_000,
        message: `${name} to be ready`,
      });
      const expected = families[name] ?? [];
      if (expected.length === 0) continue;
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      for (const family of expected) expect(metrics, name).toContain(`# TYPE ${family} `);
    }

    for (const pid of endpoints.pids) expect(isProcessAlive(pid)).toBe(true);
    started.child.kill('SIGINT');
    expect(await started.exit).toBe(0);
    for (const pid of endpoints.pids) {
      await waitFor(() => !isProcessAlive(pid), {
        timeoutMs: 5_000,
        message: `process ${pid} to be gone`,
      });
    }
    expect(fs.existsSync(path.join(started.stateDir, 'endpoints.json'))).toBe(false);
    expect(started.output()).toContain('stopped; nothing left running');
  });

  it('replays the real call log, its first day moved to today', async () => {
    const started = startCli('replay');
    const endpoints = await endpointsOf(started);
    const minute = 60_000;
    const now = Math.floor(Date.now() / minute) * minute;
    const day = new Date(now).toISOString().slice(0, 10);
    const personnel = await waitFor(async () => {
      const response = await fetch(`${endpoints.readerUrl}/personnel`, {
        headers: endpoints.readerHeaders,
      });
      return response.status === 200
        ? ((await response.json()) as { services: { id: string }[]; agents: unknown[] })
        : undefined;
    });
    expect(personnel.services.map((s) => s.id)).toEqual(['bank']);
    expect(personnel.agents.length).toBeGreaterThan(0);
    // calls of the bank's first day up to this time of day (Israel) are in; before 07:00 there are few
    const url = `${endpoints.readerUrl}/historic/serviceGroupData?startDate=${day}T00:00:00Z&endDate=${new Date(now + minute).toISOString()}&step=86400000&groupId=PS,PE,IN,NE,NW,TT`;
    const response = await fetch(url, { headers: endpoints.readerHeaders });
    expect([200, 404]).toContain(response.status);
    started.child.kill('SIGINT');
    expect(await started.exit).toBe(0);
  });

  it('runs the whole pipeline on a Redis Cluster with --redis-cluster, and Ctrl-C stops all six nodes', async () => {
    const started = startCli('simulate', ['--redis-cluster']);
    // six nodes, the cluster's creation and its replicas' first sync come before the rest:
    // on a machine busy with the other suites that alone can take half a minute
    const endpoints = await endpointsOf(started, 60_000);
    expect(endpoints.redisClusterNodes).toHaveLength(6);
    expect(started.output()).toContain('Redis Cluster ');
    // the demo data, computed and read on the cluster
    const url = `${endpoints.readerUrl}/historic/serviceGroupData?${lastDay()}&step=900000&groupId=sales,support,chat-sales`;
    const data = await waitFor(
      async () => {
        const response = await fetch(url, { headers: endpoints.readerHeaders });
        return response.status === 200 ? ((await response.json()) as unknown[]) : undefined;
      },
      { timeoutMs: 30_000, message: 'demo data in serviceGroupData' },
    );
    expect(data.length).toBeGreaterThan(0);
    for (const [name, service] of Object.entries(endpoints.services))
      await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 200, {
        timeoutMs: 10_000,
        message: `${name} to be ready`,
      });
    // the exporter delivers from the cluster too
    await waitFor(
      async () => {
        const response = await fetch(`${endpoints.wfmSinkUrl}/_sink/received`);
        const paths = new Set(((await response.json()) as { path: string }[]).map((r) => r.path));
        return paths.has('/pipkins') && paths.has('/ccwfm/api/rest/status');
      },
      { timeoutMs: 45_000, message: 'interval exports and status pushes at the WFM sink' },
    );
    // one pid per node, then Kafka and the services
    expect(endpoints.pids.length).toBe(6 + 1 + 5);
    started.child.kill('SIGINT');
    expect(await started.exit).toBe(0);
    for (const pid of endpoints.pids)
      await waitFor(() => !isProcessAlive(pid), {
        timeoutMs: 5_000,
        message: `process ${pid} to be gone`,
      });
  });

  it('leaves nothing running even when it is killed outright', async () => {
    const started = startCli();
    const endpoints = await endpointsOf(started);
    started.child.kill('SIGKILL');
    await started.exit;
    // every child gets SIGTERM from the kernel at once, the broker included, so consumers
    // cannot commit on the way out: each service's stop is bounded by runService's 25 s
    for (const pid of endpoints.pids) {
      await waitFor(() => !isProcessAlive(pid), {
        timeoutMs: 30_000,
        message: `process ${pid} to be gone`,
      });
    }
  });
});
