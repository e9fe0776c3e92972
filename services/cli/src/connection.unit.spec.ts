import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  ALONGSIDE_OTHER_PROBLEMS,
  checkRedisSettings,
  configProblems,
  kafkaSettings,
  redisSettings,
  setting,
} from '@wfm-stream/config';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { KAFKA_ADDRESS, loadCommandConfig } from './connection.js';

const schema = z.object({ ...kafkaSettings, ...redisSettings, EXTRA: setting.int(1, 1, 9) });
const required = [KAFKA_ADDRESS, ['REDIS_URL', 'REDIS_CLUSTER_NODES']];
const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-cli-none-'));
const running = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-cli-stack-'));
const clustered = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-cli-cluster-'));
fs.writeFileSync(
  path.join(running, 'endpoints.json'),
  JSON.stringify({ kafkaBrokers: ['127.0.0.1:41001'], redisUrl: 'redis://127.0.0.1:41002' }),
);

fs.writeFileSync(
  path.join(clustered, 'endpoints.json'),
  JSON.stringify({
    kafkaBrokers: ['127.0.0.1:41001'],
    redisUrl: 'redis://127.0.0.1:41002',
    redisClusterNodes: ['127.0.0.1:41002', '127.0.0.1:41003'],
  }),
);

afterAll(() => {
  for (const dir of [empty, running, clustered]) fs.rmSync(dir, { recursive: true, force: true });
});

const problems = configProblems;

describe('loadCommandConfig', () => {
  it('refuses to fall back to this machine: the addresses must be given', () => {
    expect(problems(() => loadCommandConfig(schema, {}, required, empty))).toEqual([
      `KAFKA_BROKERS is required (no \`npm start\` runs here: no ${path.join(empty, 'endpoints.json')})`,
      `REDIS_URL or REDIS_CLUSTER_NODES is required (no \`npm start\` runs here: no ${path.join(empty, 'endpoints.json')})`,
    ]);
    // with the other problems of the environment
    expect(
      problems(() =>
        loadCommandConfig(schema, { REDIS_URL: 'redis://r:6379', EXTRA: '0' }, required, empty),
      ),
    ).toEqual([
      expect.stringMatching(/^KAFKA_BROKERS is required/),
      'EXTRA must be a whole number from 1 to 9',
    ]);
    // a schema that requires them itself (the rebuild's) adds no second message
    const checked = schema.superRefine(checkRedisSettings, ALONGSIDE_OTHER_PROBLEMS);
    expect(problems(() => loadCommandConfig(checked, {}, required, empty))).toEqual([
      `KAFKA_BROKERS is required (no \`npm start\` runs here: no ${path.join(empty, 'endpoints.json')})`,
      `REDIS_URL or REDIS_CLUSTER_NODES is required (no \`npm start\` runs here: no ${path.join(empty, 'endpoints.json')})`,
    ]);
    // empty counts as unset, as everywhere
    expect(
      problems(() => loadCommandConfig(schema, { KAFKA_BROKERS: ' ' }, [KAFKA_ADDRESS], empty)),
    ).toHaveLength(1);
  });

  it('takes the addresses given, or those of a running local stack', () => {
    const given = loadCommandConfig(
      schema,
      { KAFKA_BROKERS: 'k1:9092,k2:9092', REDIS_CLUSTER_NODES: 'r1:6379' },
      required,
      running,
    );
    expect(given.config.KAFKA_BROKERS).toEqual(['k1:9092', 'k2:9092']);
    expect(given.config.REDIS_CLUSTER_NODES).toBe('r1:6379');
    const local = loadCommandConfig(schema, {}, required, running);
    expect(local.config.KAFKA_BROKERS).toEqual(['127.0.0.1:41001']);
    expect(local.config.REDIS_URL).toBe('redis://127.0.0.1:41002');
    expect(local.env.KAFKA_BROKERS).toBe('127.0.0.1:41001');
    // a command that needs only Kafka does not ask for Redis
    expect(
      loadCommandConfig(schema, { KAFKA_BROKERS: 'k:9092' }, [KAFKA_ADDRESS], empty).config
        .REDIS_URL,
    ).toBeUndefined();
  });

  it('takes the Redis Cluster of a `start --redis-cluster`', () => {
    const local = loadCommandConfig(schema, {}, required, clustered);
    expect(local.config.REDIS_CLUSTER_NODES).toBe('127.0.0.1:41002,127.0.0.1:41003');
    expect(local.config.REDIS_URL).toBe('redis://127.0.0.1:41002');
  });
});
