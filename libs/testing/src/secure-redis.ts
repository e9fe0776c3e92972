import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import {
  clusterNodeArgs,
  freePort,
  localRedisArgs,
  type ManagedProcess,
  spawnManaged,
  tlsNodeArgs,
  waitForPort,
} from '@wfm-stream/local-stack';

import { waitFor } from './helpers.js';

const run = promisify(execFile);

/** Throw-away TLS material: a self-signed certificate for 127.0.0.1, which is its own CA. */
export interface TestCertificate {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The CA to trust: the certificate itself. */
  readonly caFile: string;
}

/** Makes a certificate and key for 127.0.0.1 with `openssl`, valid for a day. */
export async function makeTestCertificate(): Promise<TestCertificate> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { dir, certFile, keyFile, caFile: certFile };
}

export interface SecureRedisOptions {
  /** `requirepass` (and `masterauth` in a cluster). */
  readonly password: string;
  /** TLS only (no plain port), with this certificate. */
  readonly tls?: TestCertificate;
}

/** Private Redis servers for one test: a single one, or the nodes of a cluster. */
export interface SecureRedis {
  /** `host:port` of each server (the cluster's seeds). */
  readonly nodes: readonly string[];
  /** The URL a client is given: scheme (redis/rediss), the password, the first node. */
  readonly url: string;
  stop(): Promise<void>;
}

function cliArgs(options: SecureRedisOptions, node: string): string[] {
  const [host = '127.0.0.1', port = '6379'] = node.split(':');
  const tls = options.tls === undefined ? [] : ['--tls', '--cacert', options.tls.caFile];
  return ['-h', host, '-p', port, '--no-auth-warning', '-a', options.password, ...tls];
}

async function redisCli(
  options: SecureRedisOptions,
  node: string,
  args: string[],
): Promise<string> {
  const { stdout } = await run('redis-cli', [...cliArgs(options, node), ...args]);
  return stdout;
}

async function startServers(
  options: SecureRedisOptions,
  count: number,
  cluster: boolean,
): Promise<{ nodes: string[]; procs: ManagedProcess[]; dirs: string[] }> {
  const nodes: string[] = [];
  const procs: ManagedProcess[] = [];
  const dirs: string[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-redis-secure-'));
    dirs.push(dir);
    const clustered = cluster
      ? [...(await clusterNodeArgs(dir)), '--masterauth', options.password]
      : [];
    const args = [
      ...tlsNodeArgs(port, options.tls),
      ...localRedisArgs(dir),
      '--requirepass',
      options.password,
      ...clustered,
    ];
    procs.push(spawnManaged(`redis-secure-${i + 1}`, 'redis-server', args));
    nodes.push(`127.0.0.1:${port}`);
  }
  for (const node of nodes) {
    await waitForPort('127.0.0.1', Number(node.split(':')[1]), 10_000);
    await waitFor(async () => (await redisCli(options, node, ['PING'])).trim() === 'PONG', {
      message: `redis-server ${node} to answer`,
    });
  }
  return { nodes, procs, dirs };
}

function stopper(procs: ManagedProcess[], dirs: string[]): () => Promise<void> {
  return async () => {
    await Promise.all(procs.map((p) => p.stop({ timeoutMs: 5_000 })));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  };
}

function urlOf(options: SecureRedisOptions, node: string | undefined): string {
  const scheme = options.tls === undefined ? 'redis' : 'rediss';
  return `${scheme}://:${encodeURIComponent(options.password)}@${node ?? ''}`;
}

/** One private `redis-server` with a password (and TLS when asked). */
export async function startSecureRedis(options: SecureRedisOptions): Promise<SecureRedis> {
  const { nodes, procs, dirs } = await startServers(options, 1, false);
  return { nodes, url: urlOf(options, nodes[0]), stop: stopper(procs, dirs) };
}

/**
 * A private Redis Cluster of three masters (`redis-server --cluster-enabled yes` × 3,
 * then `redis-cli --cluster create`), with `requirepass`/`masterauth` and, when asked,
 * TLS on the client and cluster-bus ports. Resolves once every node says the cluster is ok.
 */
export async function startSecureRedisCluster(options: SecureRedisOptions): Promise<SecureRedis> {
  const { nodes, procs, dirs } = await startServers(options, 3, true);
  const stop = stopper(procs, dirs);
  try {
    await redisCli(options, nodes[0] ?? '', [
      '--cluster',
      'create',
      ...nodes,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const node of nodes)
      await waitFor(
        async () =>
          (await redisCli(options, node, ['CLUSTER', 'INFO'])).includes('cluster_state:ok'),
        { message: `cluster state ok on ${node}`, timeoutMs: 30_000, intervalMs: 200 },
      );
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, url: urlOf(options, nodes[0]), stop };
}
