import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort, type ManagedProcess, spawnManaged } from '@wfm-stream/process';

import {
  clusterNodeArgs,
  localRedisArgs,
  REDIS_LISTPACK_SETTINGS,
  redisSettingArgs,
} from './redis.js';
import { describeMissingPackages } from './system.js';

const run = promisify(execFile);

/** One `redis-server` of a local cluster. */
export interface RedisClusterNode {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly port: number;
  readonly process: ManagedProcess;
}

export interface RedisCluster {
  /** `host:port` of every node: the seeds for REDIS_CLUSTER_NODES. */
  readonly nodes: readonly string[];
  /** REDIS_URL for the services: scheme, the password (if any), the first node. */
  readonly url: string;
  /** The servers, in the order of `nodes`. */
  readonly servers: readonly RedisClusterNode[];
  /** Runs `redis-cli` against one node (with the cluster's password); its output. */
  cli(node: string, args: readonly string[]): Promise<string>;
  /** The node that serves `slot` as master now, as that node's peers say. */
  masterOf(slot: number): Promise<string>;
  /** Kills every node and removes the temporary directories. */
  stop(): Promise<void>;
  /** A single process id to list (the first node's), like RedisServer's. */
  readonly process: ManagedProcess;
}

export interface RedisClusterOptions {
  /** `requirepass` of every node, and `masterauth` so replicas can sync. */
  readonly password?: string;
  /** Append-only files in the nodes' directories; none by default. */
  readonly persistence?: boolean;
  /**
   * `cluster-node-timeout`: how long a master may be unreachable before its replica takes
   * over (the failover then takes about one more second). 2 s by default, short for a
   * local cluster.
   */
  readonly nodeTimeoutMs?: number;
  /** Where the nodes' logs go (`<logDir>/redis-<n>.log`); none by default. */
  readonly logDir?: string;
  /** Extra `redis-server` settings for every node, e.g. `['maxmemory', '1gb']`. */
  readonly settings?: readonly string[];
  /**
   * TLS only: every node's client port, cluster bus and replication speak TLS with this
   * certificate (no plain port), clients need not show one; the URL is `rediss://`.
   */
  readonly tls?: RedisClusterTls;
}

/** PEM files of a TLS cluster: the nodes' certificate and key, and the CA that signed it. */
export interface RedisClusterTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/**
 * The `redis-server` arguments of a node listening on `port`: plain without `tls`, else
 * TLS only (client port, cluster bus and replication), clients not asked for a certificate.
 */
export function tlsNodeArgs(port: number, tls: RedisClusterTls | undefined): string[] {
  if (tls === undefined) return ['--port', String(port)];
  return [
    ...['--port', '0', '--tls-port', String(port)],
    ...['--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile],
    ...['--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no'],
    ...['--tls-cluster', 'yes', '--tls-replication', 'yes'],
  ];
}

const MASTERS = 3;
const REPLICAS_PER_MASTER = 1;

/**
 * Starts a private Redis Cluster on loopback: six `redis-server` processes with
 * `cluster-enabled yes` on free ports (client and cluster-bus port each), each in a
 * temporary directory of its own, joined by `redis-cli --cluster create … --cluster-replicas
 * 1`: three masters, each with a replica. Resolves once every node reports
 * `cluster_state:ok` and every replica is in sync with its master. Like `startRedis`,
 * nothing persists unless asked, and the nodes stop with us.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const problem = describeMissingPackages();
  if (problem !== undefined) throw new Error(problem);
  const count = MASTERS * (1 + REPLICAS_PER_MASTER);
  const servers: RedisClusterNode[] = [];
  const dirs: string[] = [];
  // the password goes to redis-cli through the environment, never on a command line
  const cliEnv = {
    ...process.env,
    ...(options.password === undefined ? {} : { REDISCLI_AUTH: options.password }),
  };
  const cli = async (node: string, args: readonly string[]): Promise<string> => {
    const [host = '127.0.0.1', port = '6379'] = node.split(':');
    const tls = options.tls === undefined ? [] : ['--tls', '--cacert', options.tls.caFile];
    const { stdout } = await run('redis-cli', ['-h', host, '-p', port, ...tls, ...args], {
      env: cliEnv,
      timeout: 30_000,
    });
    return stdout;
  };
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.process.stop({ signal: 'SIGKILL' })));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-redis-cluster-'));
      dirs.push(dir);
      const auth =
        options.password === undefined
          ? []
          : ['--requirepass', options.password, '--masterauth', options.password];
      const args = [
        ...tlsNodeArgs(port, options.tls),
        ...localRedisArgs(dir, { appendOnly: options.persistence === true }),
        ...(await clusterNodeArgs(dir)),
        '--cluster-node-timeout',
        String(options.nodeTimeoutMs ?? 2_000),
        // replicas sync at once rather than after the default 5 s
        '--repl-diskless-sync-delay',
        '0',
        ...auth,
        ...redisSettingArgs([...REDIS_LISTPACK_SETTINGS, ...(options.settings ?? [])]),
      ];
      const logFile =
        options.logDir === undefined ? undefined : path.join(options.logDir, `redis-${i + 1}.log`);
      const proc = spawnManaged(`redis-cluster-${i + 1}`, 'redis-server', args, {
        ...(logFile === undefined ? {} : { logFile }),
      });
      servers.push({ address: `127.0.0.1:${port}`, port, process: proc });
    }
    const nodes = servers.map((s) => s.address);
    for (const server of servers)
      await until(
        async () => (await cli(server.address, ['PING'])).trim() === 'PONG',
        `redis-server ${server.address} to answer`,
        10_000,
        () => server.process.hasExited(),
      );
    await cli(nodes[0] ?? '', [
      '--cluster',
      'create',
      ...nodes,
      '--cluster-replicas',
      String(REPLICAS_PER_MASTER),
      '--cluster-yes',
    ]);
    for (const node of nodes)
      await until(
        async () => (await cli(node, ['CLUSTER', 'INFO'])).includes('cluster_state:ok'),
        `cluster_state:ok on ${node}`,
        30_000,
      );
    for (const node of nodes)
      await until(
        async () => {
          const info = await cli(node, ['INFO', 'replication']);
          return info.includes('role:master') || info.includes('master_link_status:up');
        },
        `the replica ${node} to be in sync`,
        30_000,
      );
    const scheme = options.tls === undefined ? 'redis' : 'rediss';
    const credentials =
      options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
    const first = servers[0];
    if (first === undefined) throw new Error('no cluster node started');
    return {
      nodes,
      url: `${scheme}://${credentials}${first.address}`,
      servers,
      process: first.process,
      cli,
      async masterOf(slot) {
        const live = servers.find((s) => !s.process.hasExited());
        const text = await cli(live?.address ?? nodes[0] ?? '', ['CLUSTER', 'NODES']);
        return masterOfSlot(text, slot) ?? '';
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function until(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  failed: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (failed()) throw new Error(`${what}: the process exited`);
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const detail = last instanceof Error ? ` (${last.message})` : '';
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${detail}`);
}

/**
 * The master of a slot in `CLUSTER NODES` output (a node a line: id, `ip:port@bus`,
 * flags, master, ping, pong, epoch, link state, then slots `a-b` or `a`): the node
 * flagged master, not failed, whose slots hold it.
 */
export function masterOfSlot(text: string, slot: number): string | undefined {
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const [, address = '', flags = ''] = fields;
    const flagList = flags.split(',');
    if (!flagList.includes('master') || flagList.some((f) => f === 'fail' || f === 'fail?'))
      continue;
    for (const range of fields.slice(8)) {
      if (range.startsWith('[')) continue; // a slot being migrated
      const [from = '', to = from] = range.split('-');
      if (slot >= Number(from) && slot <= Number(to)) return address.split('@')[0];
    }
  }
  return undefined;
}
