import fs from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';

import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /**
   * The Redis (`redis://`, or `rediss://` for TLS). With `clusterNodes` its host is
   * ignored, and its user name, password and scheme apply to every node of the cluster;
   * a cluster may go without it (no credentials, no TLS). Without `clusterNodes` it is
   * required (the config schemas check it: `checkRedisSettings`).
   */
  readonly url?: string | undefined;
  /** `host:port` seeds of a Redis Cluster. */
  readonly clusterNodes?: readonly string[] | undefined;
  readonly name?: string;
  /** Longest a command may go unanswered before it fails (ioredis `commandTimeout`). */
  readonly commandTimeoutMs?: number | undefined;
  /** TLS options for a `rediss://` URL: the CA that signs the servers' certificates. */
  readonly tls?: TlsOptions | undefined;
}

/** The REDIS_* settings a connection is made from (libs/config/src/fragments.ts). */
export interface RedisSettings {
  readonly REDIS_URL?: string | undefined;
  readonly REDIS_CLUSTER_NODES?: string | undefined;
  readonly REDIS_COMMAND_TIMEOUT?: number | undefined;
  readonly REDIS_TLS_CA_FILE?: string | undefined;
}

/** Connection options from the REDIS_* settings; reads the CA file when one is named. */
export function redisConnectionOptions(
  config: RedisSettings,
  name: string,
): RedisConnectionOptions {
  const nodes = config.REDIS_CLUSTER_NODES?.split(',')
    .map((node) => node.trim())
    .filter((node) => node !== '');
  return {
    url: config.REDIS_URL,
    clusterNodes: nodes,
    name,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT,
    tls:
      config.REDIS_TLS_CA_FILE === undefined
        ? undefined
        : { ca: fs.readFileSync(config.REDIS_TLS_CA_FILE) },
  };
}

/**
 * What a node connection takes from the URL: user name, password, TLS (`rediss://`) and
 * the database. In cluster mode these are the only parts used; the seeds give the hosts.
 */
export function nodeOptionsOf(
  url: string,
  tls: TlsOptions | undefined,
): Pick<RedisOptions, 'username' | 'password' | 'tls' | 'db'> {
  const parsed = new URL(url);
  const options: Pick<RedisOptions, 'username' | 'password' | 'tls' | 'db'> = {};
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') options.tls = { ...tls };
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '') options.db = Number(db);
  return options;
}

/**
 * How the cluster client rides out a failover (docs/architecture.md, "Redis Cluster"),
 * set deliberately rather than left to ioredis's defaults:
 *
 * - a command whose node's connection closed (a master killed) is sent again after
 *   `retryDelayOnFailover`, the slot layout refreshed meanwhile, at most `maxRedirections`
 *   times: 16 × 300 ms, about 5 s, longer than a local cluster's failover (a node timeout
 *   of 2 s and about 1 s of election); after that it fails, and the caller's own retries
 *   (the consumer's backoff, the reader's READER_REDIS_RETRY_BUDGET) take over;
 * - CLUSTERDOWN (a slot without a master while its replica is being promoted): the same,
 *   after `retryDelayOnClusterDown`; TRYAGAIN (a slot migrating): after 100 ms;
 * - the layout is asked for again every 5 s anyway, and a node that does not give it
 *   within 2 s is skipped for the next (`slotsRefreshTimeout`, above ioredis's 1 s so a
 *   busy node is not taken for a dead one);
 * - when no node answers at all, the client reconnects after 100 ms, 200 ms, … at most 2 s.
 */
export const CLUSTER_OPTIONS = {
  retryDelayOnFailover: 300,
  retryDelayOnClusterDown: 300,
  retryDelayOnTryAgain: 100,
  maxRedirections: 16,
  slotsRefreshTimeout: 2_000,
  slotsRefreshInterval: 5_000,
  clusterRetryStrategy: (times: number): number => Math.min(100 * times, 2_000),
} as const;

/**
 * Opens a connection (or a cluster client); scripts register themselves on first use
 * (scripts.ts). Commands issued
 * while disconnected are queued briefly, then fail, and a command without an answer
 * within `commandTimeoutMs` fails too, so a Redis outage or a stalled server turns into
 * errors the caller handles (a 500, a batch retried) rather than unbounded waits and
 * memory. In cluster mode every node gets the URL's credentials and TLS.
 */
export function connectRedis(options: RedisConnectionOptions): RedisClient {
  const common: RedisOptions = {
    connectionName: options.name ?? 'wfm-stream',
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
  };
  const node: ReturnType<typeof nodeOptionsOf> =
    options.url === undefined ? {} : nodeOptionsOf(options.url, options.tls);
  let client: RedisClient;
  if (options.clusterNodes !== undefined && options.clusterNodes.length > 0) {
    // a cluster has database 0 only
    const { db: _db, ...credentials } = node;
    client = new Cluster(
      options.clusterNodes.map((seed) => {
        const [host = '127.0.0.1', port = '6379'] = seed.split(':');
        return { host, port: Number(port) };
      }),
      { ...CLUSTER_OPTIONS, redisOptions: { ...common, ...credentials }, scaleReads: 'master' },
    );
  } else {
    // unreachable through a validated configuration (checkRedisSettings)
    if (options.url === undefined) throw new Error('REDIS_URL or REDIS_CLUSTER_NODES is required');
    client = new Redis(options.url, {
      ...common,
      ...(node.tls === undefined ? {} : { tls: node.tls }),
    });
  }
  return client;
}
