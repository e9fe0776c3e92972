import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { REPO_DIR } from '@wfm-stream/cli';
import { DAY_MS } from '@wfm-stream/core';
import { startRedis } from '@wfm-stream/local-stack';
import type { AgentEvent, ContactEvent, DirectoryEvent, WfmEvent } from '@wfm-stream/schemas';
import { connectRedis, type RedisClient } from '@wfm-stream/store';

import { random, syntheticTraffic, type Traffic } from '../support/traffic.js';
import { cpuSeconds } from './common/processes.js';
import { aggregationStores, forEachKeyBatch } from './common/redis.js';
import { startBenchService } from './common/services.js';
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
  meanBytes: number;
  wrapped: boolean;
  /** The reader's CPU ms (user + system) per request it answered during the run, warm-up included. */
  cpuMsPerRequest?: number;
}

const DAY = Date.UTC(2024, 0, 8);
/** Days of the month of data the uncached mix asks about, after DAY. */
const MONTH_DAYS = 28;
/** The issue's targets for the reader (wfm-stream issue 16), at 32 clients. */
const TARGET_P99_MS = 15;
const TARGET_RPS = 3_000;

/**
 * Reader latency for the request a WFM makes all day: one day of 15-minute intervals for
 * 50 groups, under 32 concurrent clients; then an uncached mix, every request one no
 * cache has seen (another day, 1–5 groups or agents), on a directory of 50 groups and 100
 * agents and on the same data with a directory ten times larger, side by side. The
 * readers and the load run as separate processes; Redis is another.
 */
export async function benchReader(): Promise<void> {
  const redis = await startRedis();
  const readers: { stop(): Promise<unknown> }[] = [];
  try {
    const contacts = Number(process.env.BENCH_READER_CONTACTS ?? 30_000);
    const monthContacts = Number(process.env.BENCH_READER_MONTH_CONTACTS ?? 56_000);
    progress(
      `aggregating ${contacts} contacts of one day and ${monthContacts} over ${MONTH_DAYS} more days, 50 groups, 100 agents…`,
    );
    const traffic = syntheticTraffic({
      seed: 5,
      contacts,
      groups: 50,
      agents: 100,
      startMs: DAY,
      hours: 24,
    });
    const month = renamed(
      syntheticTraffic({
        seed: 6,
        contacts: monthContacts,
        groups: 50,
        agents: 100,
        startMs: DAY + DAY_MS,
        hours: 24 * MONTH_DAYS,
      }),
      'm',
    );
    const client = connectRedis({ url: redis.url });
    const ttl = { stateSeconds: 86_400, retentionSeconds: 86_400 };
    const stores = aggregationStores(client, 'bench:g0', ttl);
    await stores.directory.apply(traffic.directory as DirectoryEvent[]);
    const events = [...traffic.contacts, ...month.contacts] as ContactEvent[];
    for (let i = 0; i < events.length; i += 2_000)
      await stores.contacts.apply(events.slice(i, i + 2_000));
    const agentEvents = month.agents as AgentEvent[];
    for (let i = 0; i < agentEvents.length; i += 2_000)
      await stores.agents.apply(agentEvents.slice(i, i + 2_000));

    // the same data under another prefix, with ten times the groups and agents in its directory
    progress('copying it under a second prefix with a directory of 500 groups and 1,000 agents…');
    await copyKeys(client, 'bench:g0:', 'bench10:g0:');
    const large = syntheticTraffic({
      seed: 1,
      contacts: 0,
      groups: 500,
      agents: 1_000,
      startMs: DAY,
    });
    const small = new Set(traffic.directory.map((e) => e.eventId));
    await aggregationStores(client, 'bench10:g0', ttl).directory.apply(
      large.directory.filter((e) => !small.has(e.eventId)) as DirectoryEvent[],
    );
    client.disconnect();

    const pids = new Map<number, number>();
    const startedReader = async (prefix: string): Promise<number> => {
      const reader = await startBenchService('reader', {
        name: `reader-${prefix}`,
        env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, READER_API_KEYS: 'bench' },
        // e.g. BENCH_READER_NODE_ARGS=--cpu-prof to profile the readers
        nodeArgs: (process.env.BENCH_READER_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
        readyAttempts: 100,
      });
      readers.push(reader.proc);
      const port = Number(new URL(reader.url).port);
      pids.set(port, reader.proc.pid);
      return port;
    };
    const port = await startedReader('bench');
    const port10 = await startedReader('bench10');
    {
      const url = `http://127.0.0.1:${port}/historic/serviceGroupData?startDate=2024-01-08T00:00:00Z&endDate=2024-01-09T00:00:00Z&step=900000&groupId=${traffic.groupIds.join(',')}`;
      const seconds = Number(process.env.BENCH_SECONDS ?? 10);
      progress(`32 concurrent clients for ${seconds} s…`);
      const load = path.join(REPO_DIR, 'test/dist/bench/load.js');
      const run = async (
        target: string,
        clients: number,
        ...headers: string[]
      ): Promise<LoadResult> => {
        const args = [
          load,
          target,
          String(clients),
          String(seconds),
          'x-api-key:bench',
          ...headers,
        ];
        return JSON.parse((await execFileAsync(process.execPath, args)).stdout) as LoadResult;
      };
      const single = await run(url, 1);
      const r = await run(url, 32);
      const gzipped = await run(url, 32, 'accept-encoding:gzip');
      const row = (label: string, x: LoadResult): (string | number)[] =>
        loadRow(label, x, x.responseBytes);
      printTable(
        'reader: serviceGroupData, one day of 15-minute intervals, 50 groups, the same request again and again (answer cache; reader, load and Redis: separate processes on 2 cores)',
        [
          ['clients', ...LOAD_COLUMNS, 'response bytes'],
          row('1', single),
          row('32', r),
          row('32, gzip', gzipped),
        ],
      );

      // uncached: every request one neither reader has seen, the same lists for both
      const perList = Number(process.env.BENCH_READER_UNCACHED_URLS ?? 60_000);
      const rounds = Number(process.env.BENCH_READER_ROUNDS ?? 2);
      const lists = uncachedQueries(rounds + 1, perList, traffic.groupIds, traffic.agentIds);
      const files = lists.map((list, i) => {
        const file = path.join(os.tmpdir(), `wfm-bench-uncached-${process.pid}-${i}.txt`);
        fs.writeFileSync(file, list.join('\n'));
        return file;
      });
      try {
        // the same answers whatever else the directory holds (the third list, seen by neither run)
        const check = lists[rounds]?.slice(0, 200) ?? [];
        let differ = 0;
        for (const query of check) {
          const [a, b] = await Promise.all(
            [port, port10].map((p) =>
              fetch(`http://127.0.0.1:${p}${query}`, { headers: { 'x-api-key': 'bench' } }).then(
                async (x) => `${x.status} ${await x.text()}`,
              ),
            ),
          );
          if (a !== b) differ++;
        }
        progress(`uncached mix, 32 clients, ${seconds} s per run, 1× and 10× directory in turn…`);
        const at = (p: number, file: string): string => `@${file}#http://127.0.0.1:${p}`;
        // in turn, ABBA…, so that a change in the machine's load falls on both alike
        const one: LoadResult[] = [];
        const ten: LoadResult[] = [];
        for (let i = 0; i < rounds; i++) {
          const file = files[i] ?? '';
          const order = i % 2 === 0 ? ([1, 10] as const) : ([10, 1] as const);
          for (const size of order) {
            const p = size === 1 ? port : port10;
            // the reader's own CPU per request: far less sensitive to a loaded machine than the rate
            const cpu0 = cpuSeconds(pids.get(p) ?? 0);
            const served0 = await historicAnswered(p);
            const x = await run(at(p, file), 32);
            const served = (await historicAnswered(p)) - served0;
            x.cpuMsPerRequest = ((cpuSeconds(pids.get(p) ?? 0) - cpu0) * 1000) / served;
            (size === 1 ? one : ten).push(x);
          }
        }
        const pooled = (xs: LoadResult[]): LoadResult => ({
          requests: xs.reduce((n, x) => n + x.requests, 0),
          errors: xs.reduce((n, x) => n + x.errors, 0),
          rps: xs.reduce((n, x) => n + x.rps, 0) / xs.length,
          p50: xs.reduce((n, x) => n + x.p50, 0) / xs.length,
          p90: xs.reduce((n, x) => n + x.p90, 0) / xs.length,
          p99: xs.reduce((n, x) => n + x.p99, 0) / xs.length,
          max: Math.max(...xs.map((x) => x.max)),
          responseBytes: 0,
          meanBytes: Math.round(xs.reduce((n, x) => n + x.meanBytes, 0) / xs.length),
          wrapped: xs.some((x) => x.wrapped),
          cpuMsPerRequest: xs.reduce((n, x) => n + (x.cpuMsPerRequest ?? 0), 0) / xs.length,
        });
        const a = pooled(one);
        const b = pooled(ten);
        const mixRow = (label: string, x: LoadResult): (string | number)[] =>
          loadRow(label, x, x.meanBytes, x.wrapped ? 'yes' : 'no', cpuMs(x.cpuMsPerRequest));
        const ratio = (x: number, y: number): string => `${(x / y).toFixed(2)}×`;
        printTable(
          'reader: uncached mix at 32 clients, every request one no cache has seen: another day (whole, 15-minute intervals) and 1–5 ids; serviceGroupData 70 %, agentCallsData 15 %, agentStatusData 15 % (runs in turn, 1×, 10×, 10×, 1×, …; means of the runs)',
          [
            ['directory', ...LOAD_COLUMNS, 'mean bytes', 'urls reused', 'reader CPU ms/request'],
            ...one.map((x, i) => mixRow(`50 groups, 100 agents (run ${i + 1})`, x)),
            ...ten.map((x, i) => mixRow(`500 groups, 1,000 agents (run ${i + 1})`, x)),
            mixRow('1×, mean', a),
            mixRow('10×, mean', b),
            [
              '10× ÷ 1×',
              ratio(b.rps, a.rps),
              ratio(b.p50, a.p50),
              ratio(b.p90, a.p90),
              ratio(b.p99, a.p99),
              '',
              '',
              '',
              '',
              ratio(b.cpuMsPerRequest ?? 0, a.cpuMsPerRequest ?? 0),
            ],
            [
              'issue 16 target',
              `≥ ${TARGET_RPS.toLocaleString('en-US')}`,
              '',
              '',
              `≤ ${TARGET_P99_MS}`,
              '',
              '',
              '',
              '',
              '',
            ],
          ],
        );
        process.stdout.write(
          `  answers of 1× and 10× compared on ${check.length} other queries: ${differ === 0 ? 'all identical' : `${differ} differ`}\n`,
        );
      } finally {
        for (const file of files) fs.rmSync(file, { force: true });
      }
    }
  } finally {
    for (const reader of readers) await reader.stop();
    await redis.stop();
  }
}

/**
 * `count` lists of `perList` distinct queries (no query in two lists): each a whole day of
 * the month, in 15-minute intervals for serviceGroupData, and 1–5 ids.
 */
function uncachedQueries(
  count: number,
  perList: number,
  groupIds: readonly string[],
  agentIds: readonly string[],
): string[][] {
  const rnd = random(11);
  const seen = new Set<string>();
  const pick = (ids: readonly string[]): string[] => {
    const n = 1 + Math.floor(rnd() * 5);
    const chosen = new Set<string>();
    while (chosen.size < n) chosen.add(ids[Math.floor(rnd() * ids.length)] ?? '');
    return [...chosen];
  };
  const lists: string[][] = [];
  for (let l = 0; l < count; l++) {
    const list: string[] = [];
    while (list.length < perList) {
      const day = DAY + (1 + Math.floor(rnd() * MONTH_DAYS)) * DAY_MS;
      const period = `startDate=${new Date(day).toISOString()}&endDate=${new Date(day + DAY_MS).toISOString()}`;
      const roll = rnd();
      const query =
        roll < 0.7
          ? `/historic/serviceGroupData?${period}&step=900000&groupId=${pick(groupIds).join(',')}`
          : `/historic/${roll < 0.85 ? 'agentCallsData' : 'agentStatusData'}?${period}&agentId=${pick(agentIds).join(',')}`;
      if (seen.has(query)) continue;
      seen.add(query);
      list.push(query);
    }
    lists.push(list);
  }
  return lists;
}

/** The traffic with every contact and event id prefixed, so that it adds to other traffic. */
function renamed(traffic: Traffic, prefix: string): Traffic {
  const rename = (events: readonly WfmEvent[]): WfmEvent[] =>
    events.map((e) => ({
      ...e,
      eventId: `${prefix}${e.eventId}`,
      ...('contactId' in e ? { contactId: `${prefix}${e.contactId}` } : {}),
    }));
  return { ...traffic, contacts: rename(traffic.contacts), agents: rename(traffic.agents) };
}

/** Copies every key under `from` to the same name under `to`. */
async function copyKeys(redis: RedisClient, from: string, to: string): Promise<void> {
  await forEachKeyBatch(redis, `${from}*`, 1000, (keys) => {
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.copy(key, to + key.slice(from.length));
    return pipeline.exec();
  });
}

/** CPU ms per request to two decimals, or a dash when it could not be measured (no /proc). */
function cpuMs(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) || ms <= 0 ? '—' : ms.toFixed(2);
}

/**
 * Historic requests the reader at `port` has answered so far, from its /metrics
 * (`wfm_http_requests_total` of the /historic/ routes; the metrics request itself is not one).
 */
async function historicAnswered(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('wfm_http_requests_total{') && line.includes('route="/historic/'))
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** The columns of loadRow's figures. */
const LOAD_COLUMNS = ['requests/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors'];

/** A row of a load run's figures: rate, latencies (ms), errors, then the given columns. */
function loadRow(label: string, x: LoadResult, ...more: (string | number)[]): (string | number)[] {
  return [
    label,
    Math.round(x.rps),
    round(x.p50),
    round(x.p90),
    round(x.p99),
    round(x.max),
    x.errors,
    ...more,
  ];
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
