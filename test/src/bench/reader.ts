import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { REPO_DIR } from '@wfm-stream/cli';
import { TimeZone } from '@wfm-stream/core';
import { freePort, spawnManaged, startRedis } from '@wfm-stream/local-stack';
import type { ContactEvent } from '@wfm-stream/schemas';
import { connectRedis, ContactAggregation, Keys } from '@wfm-stream/store';

import { syntheticTraffic } from '../support/traffic.js';
import { printTable, progress } from './report.js';

const execFileAsync = promisify(execFile);

interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  responseBytes: number;
}

/**
 * Reader latency for the request a WFM makes all day: one day of 15-minute intervals for
 * 50 groups, under 32 concurrent clients. The reader and the load run as separate
 * processes; Redis is a third.
 */
export async function benchReader(): Promise<void> {
  const redis = await startRedis();
  try {
    const contacts = Number(process.env.BENCH_READER_CONTACTS ?? 30_000);
    progress(`aggregating ${contacts} contacts over 50 groups into Redis…`);
    const traffic = syntheticTraffic({
      seed: 5,
      contacts,
      groups: 50,
      agents: 100,
      startMs: Date.UTC(2024, 0, 8, 0, 0),
      hours: 24,
    });
    const client = connectRedis({ url: redis.url });
    const aggregation = new ContactAggregation(client, new Keys('bench:g0'), {
      zone: TimeZone.UTC,
      serviceLevelMs: () => 20_000,
      stateTtlSeconds: 86_400,
      retentionSeconds: 86_400,
    });
    const events = traffic.contacts as ContactEvent[];
    for (let i = 0; i < events.length; i += 2_000)
      await aggregation.apply(events.slice(i, i + 2_000));
    client.disconnect();

    const port = await freePort();
    const reader = spawnManaged(
      'reader',
      process.execPath,
      [path.join(REPO_DIR, 'services/reader/dist/main.js')],
      {
        env: {
          ...process.env,
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: 'bench',
          HTTP_PORT: String(port),
          HTTP_HOST: '127.0.0.1',
          READER_API_KEYS: 'bench',
          LOG_LEVEL: 'warn',
        },
      },
    );
    try {
      for (let i = 0; i < 100; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = `http://127.0.0.1:${port}/historic/serviceGroupData?startDate=2024-01-08T00:00:00Z&endDate=2024-01-09T00:00:00Z&step=900000&groupId=${traffic.groupIds.join(',')}`;
      const seconds = Number(process.env.BENCH_SECONDS ?? 10);
      progress(`32 concurrent clients for ${seconds} s…`);
      const load = path.join(REPO_DIR, 'test/dist/bench/load.js');
      const run = async (clients: number, ...headers: string[]): Promise<LoadResult> => {
        const args = [load, url, String(clients), String(seconds), 'x-api-key:bench', ...headers];
        return JSON.parse((await execFileAsync(process.execPath, args)).stdout) as LoadResult;
      };
      const single = await run(1);
      const r = await run(32);
      const gzipped = await run(32, 'accept-encoding:gzip');
      const row = (label: string, x: LoadResult): (string | number)[] => [
        label,
        Math.round(x.rps),
        round(x.p50),
        round(x.p90),
        round(x.p99),
        round(x.max),
        x.errors,
        x.responseBytes,
      ];
      printTable(
        'reader: serviceGroupData, one day of 15-minute intervals, 50 groups (reader, load and Redis: three processes on 2 cores)',
        [
          [
            'clients',
            'requests/s',
            'p50 ms',
            'p90 ms',
            'p99 ms',
            'max ms',
            'errors',
            'response bytes',
          ],
          row('1', single),
          row('32', r),
          row('32, gzip', gzipped),
        ],
      );
    } finally {
      await reader.stop();
    }
  } finally {
    await redis.stop();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
