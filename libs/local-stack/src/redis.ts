import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort, type ManagedProcess, spawnManaged } from '@wfm-stream/process';

import { describeMissingPackages } from './system.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Listpack thresholds the project runs Redis with and recommends to operators
 * (docs/configuration.md, "Redis"): a group's day of 1-minute buckets (`h1:`, at most 1,440
 * fields of compact vectors, some 30 bytes each) and an agent's day of state changes
 * (`tl:`, hundreds of members under 64 bytes) fit the compact listpack encoding instead of
 * a hash table or skiplist. Values stay at Redis's 64 bytes, so hashes of long values
 * (a group-day's per-contact records, `cs:`) keep their hash table.
 */
export const REDIS_LISTPACK_SETTINGS: readonly string[] = [
  'hash-max-listpack-entries',
  '1536',
  'hash-max-listpack-value',
  '64',
  'zset-max-listpack-entries',
  '1024',
  'zset-max-listpack-value',
  '64',
];

/** Redis 7's own listpack thresholds, for comparison (`npm run bench -- memory`). */
export const REDIS_DEFAULT_LISTPACK_SETTINGS: readonly string[] = [
  'hash-max-listpack-entries',
  '512',
  'hash-max-listpack-value',
  '64',
  'zset-max-listpack-entries',
  '128',
  'zset-max-listpack-value',
  '64',
];

export interface RedisOptions {
  readonly port?: number;
  /** Working directory; a fresh temporary one by default. */
  readonly dir?: string;
  readonly logFile?: string;
  /**
   * Extra `redis-server` settings, e.g. `['maxmemory', '1gb']`, after
   * `REDIS_LISTPACK_SETTINGS` (a setting given here wins).
   */
  readonly settings?: readonly string[];
  /** `requirepass`; the URL then carries it. */
  readonly password?: string;
}

/** RESP for AUTH then PING, or PING alone. */
function pingRequest(password: string | undefined): string {
  if (password === undefined) return 'PING\r\n';
  const auth = Buffer.byteLength(password);
  return `*2\r\n$4\r\nAUTH\r\n$${auth}\r\n${password}\r\nPING\r\n`;
}

function ping(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setEncoding('utf8');
    const lines = password === undefined ? 1 : 2;
    socket.once('connect', () => socket.write(pingRequest(password)));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.split('\r\n').length > lines) {
        socket.destroy();
        resolve(answer.split('\r\n')[lines - 1] === '+PONG');
      }
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/**
 * What every redis-server the local stack (and the tests) start is told: loopback only,
 * files in `dir`, no snapshots, the append-only file only when `appendOnly`, in the
 * foreground, warnings only.
 */
export function localRedisArgs(dir: string, options: { appendOnly?: boolean } = {}): string[] {
  return [
    ...['--bind', '127.0.0.1', '--dir', dir, '--save', ''],
    ...['--appendonly', options.appendOnly === true ? 'yes' : 'no'],
    ...['--daemonize', 'no', '--loglevel', 'warning'],
  ];
}

/**
 * What makes a redis-server a cluster node: its node file in `dir`, and a bus port that
 * is a free one of its own (port + 10000 may be beyond 65535).
 */
export async function clusterNodeArgs(dir: string): Promise<string[]> {
  return [
    ...['--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, 'nodes.conf')],
    ...['--cluster-port', String(await freePort())],
  ];
}

/** `settings` (name, value, name, value, …) as redis-server arguments: `--name value …`. */
export function redisSettingArgs(settings: readonly string[] = []): string[] {
  return settings.map((s, i) => (i % 2 === 0 ? `--${s}` : s));
}

async function startOnce(options: RedisOptions, port: number): Promise<RedisServer | undefined> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-redis-'));
  fs.mkdirSync(dir, { recursive: true });
  const args = [
    ...['--port', String(port)],
    ...localRedisArgs(dir),
    ...(options.password === undefined ? [] : ['--requirepass', options.password]),
    ...redisSettingArgs([...REDIS_LISTPACK_SETTINGS, ...(options.settings ?? [])]),
  ];
  const proc = spawnManaged('redis-server', 'redis-server', args, {
    ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.hasExited()) return undefined;
    if (await ping(port, options.password)) {
      return {
        url:
          options.password === undefined
            ? `redis://127.0.0.1:${port}`
            : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`,
        port,
        process: proc,
        async stop() {
          await proc.stop({ timeoutMs: 5_000 });
          if (options.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  await proc.stop({ signal: 'SIGKILL' });
  throw new Error(`redis-server did not answer PING on port ${port} within 10 s`);
}

/**
 * Starts a private `redis-server` on a free loopback port, without persistence. It stops
 * with us: never one someone else runs, never one left behind.
 */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const problem = describeMissingPackages();
  if (problem !== undefined) throw new Error(problem);
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await freePort());
    const server = await startOnce(options, port);
    if (server !== undefined) return server;
    if (options.port !== undefined) break;
  }
  throw new Error('redis-server could not start (is the port taken?)');
}
