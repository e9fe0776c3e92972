import { Cluster, Redis } from 'ioredis';

import { defineScripts } from './scripts.js';

export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  readonly url: string;
  /** `host:port` seeds of a Redis Cluster; `url` is ignored when given. */
  readonly clusterNodes?: readonly string[] | undefined;
  readonly name?: string;
}

/**
 * Opens a connection (or a cluster client) with the scripts registered. Commands issued
 * while disconnected are queued briefly, then fail, so a Redis outage turns into errors
 * the caller handles (a 500, a batch retried) rather than unbounded memory.
 */
export function connectRedis(options: RedisConnectionOptions): RedisClient {
  const common = {
    connectionName: options.name ?? 'wfm-stream',
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
  };
  let client: RedisClient;
  if (options.clusterNodes !== undefined && options.clusterNodes.length > 0) {
    client = new Cluster(
      options.clusterNodes.map((node) => {
        const [host = '127.0.0.1', port = '6379'] = node.split(':');
        return { host, port: Number(port) };
      }),
      { redisOptions: common, scaleReads: 'master' },
    );
  } else {
    client = new Redis(options.url, common);
  }
  defineScripts(client);
  return client;
}
