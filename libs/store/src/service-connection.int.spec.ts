import { startRedis, startRedisCluster } from '@wfm-stream/local-stack';
import { createRegistry, Health } from '@wfm-stream/observability';
import { waitFor } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { connectServiceRedis } from './service-connection.js';

/**
 * Readiness that tells the truth (docs/architecture.md, "Redis Cluster"): the `redis`
 * component is ready only while the Redis can serve every key.
 */
describe('the redis component of a service’s health', () => {
  it('a single Redis: ready while it answers, not ready once it is gone', async () => {
    const server = await startRedis();
    const health = new Health();
    const connection = connectServiceRedis({
      config: { REDIS_URL: server.url },
      name: 'probe-test',
      health,
      registry: createRegistry('probe-test'),
    });
    try {
      await waitFor(() => health.isReady(), { message: 'ready' });
      await server.stop();
      await waitFor(() => !health.isReady(), { message: 'not ready once Redis is gone' });
    } finally {
      connection.close();
    }
  });

  it('a Redis Cluster: not ready while a killed master’s slots have no master, ready once its replica took over', async () => {
    const cluster = await startRedisCluster({ password: 'pw', nodeTimeoutMs: 1_000 });
    const health = new Health();
    const connection = connectServiceRedis({
      config: { REDIS_URL: cluster.url, REDIS_CLUSTER_NODES: cluster.nodes.join(',') },
      name: 'probe-test',
      health,
      registry: createRegistry('probe-test'),
    });
    try {
      await waitFor(() => health.isReady(), { message: 'ready' });
      const victim = await cluster.masterOf(0);
      const server = cluster.servers.find((s) => s.address === victim);
      await server?.process.stop({ signal: 'SIGKILL' });
      const killedAt = Date.now();
      await waitFor(() => !health.isReady(), {
        timeoutMs: 5_000,
        intervalMs: 10,
        message: 'not ready once a master is gone',
      });
      // not ready for as long as slot 0 has no live master
      const readyWhileDown: number[] = [];
      const promotedAt = await waitFor(
        async () => {
          if (health.isReady()) readyWhileDown.push(Date.now() - killedAt);
          const master = await cluster.masterOf(0).catch(() => '');
          return master !== '' && master !== victim ? Date.now() : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 50, message: 'the replica to take over' },
      );
      expect(readyWhileDown).toEqual([]);
      await waitFor(() => health.isReady(), {
        timeoutMs: 15_000,
        message: 'ready again after the failover',
      });
      expect(Date.now() - promotedAt).toBeLessThan(15_000);
      expect(health.components().redis).toEqual({ ready: true });
    } finally {
      connection.close();
      await cluster.stop();
    }
  }, 90_000);
});
