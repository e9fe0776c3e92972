import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import {
  ALONGSIDE_OTHER_PROBLEMS,
  checkRedisSettings,
  kafkaSettings,
  opsSettings,
  REDIS_REQUIRED,
  redisSettings,
} from './fragments.js';
import { configProblems, loadConfig } from './load.js';
import { hasCredentials, withoutCredentials } from './url-credentials.js';

const redis = z.object(redisSettings);

const prefixProblems = (prefix: string): readonly string[] =>
  configProblems(() => loadConfig(redis, { REDIS_KEY_PREFIX: prefix }));

describe('REDIS_KEY_PREFIX', () => {
  it('takes letters, digits, "_", "." and "-", starting with a letter or digit', () => {
    for (const prefix of ['wfm', 'wfm-prod', 'tenant_7.eu', 'A', 'x'.repeat(64)])
      expect(prefixProblems(prefix), prefix).toEqual([]);
  });

  it('refuses what would make one deployment’s SCAN pattern or hash tag reach another’s keys', () => {
    // "wfm:g1" would own the keys of generation g1 of "wfm": a rebuild of one deletes the other's
    for (const prefix of [
      'wfm:g1',
      'wfm*',
      'w?m',
      'wfm[1]',
      '{wfm}',
      'wfm}',
      '-wfm',
      '.wfm',
      'wf m',
      'x'.repeat(65),
    ])
      expect(prefixProblems(prefix), prefix).toEqual([
        expect.stringMatching(/^REDIS_KEY_PREFIX must be 1–64 letters/),
      ]);
  });
});

describe('the addresses of Kafka and Redis', () => {
  const kafka = z.object({ KAFKA_BROKERS: kafkaSettings.KAFKA_BROKERS });
  const checked = z
    .object({ ...kafkaSettings, ...redisSettings })
    .superRefine(checkRedisSettings, ALONGSIDE_OTHER_PROBLEMS);
  const problemsOf = configProblems;

  it('have no default: unset, they are required, with what to give', () => {
    expect(problemsOf(() => loadConfig(kafka, {}))).toEqual([
      'KAFKA_BROKERS is required: the Kafka bootstrap servers, host:port,… (there is no default; `npm start` and the tests give their own servers)',
    ]);
    // both at once: a missing Redis is not reported only after KAFKA_BROKERS is fixed
    expect(problemsOf(() => loadConfig(checked, {}))).toEqual([
      expect.stringMatching(/^KAFKA_BROKERS is required: /),
      REDIS_REQUIRED,
    ]);
    expect(REDIS_REQUIRED).toMatch(/^REDIS_URL or REDIS_CLUSTER_NODES is required: /);
  });

  it('take a Redis, or the nodes of a cluster without a URL', () => {
    expect(loadConfig(kafka, { KAFKA_BROKERS: 'k1:9092, k2:9092' }).KAFKA_BROKERS).toEqual([
      'k1:9092',
      'k2:9092',
    ]);
    const kafkaGiven = { KAFKA_BROKERS: 'k:9092' };
    expect(loadConfig(checked, { ...kafkaGiven, REDIS_URL: 'redis://r:6379' }).REDIS_URL).toBe(
      'redis://r:6379',
    );
    expect(
      loadConfig(checked, { ...kafkaGiven, REDIS_CLUSTER_NODES: 'r1:6379' }).REDIS_URL,
    ).toBeUndefined();
    // a value that is there but wrong says what is wrong, not that it is missing
    expect(problemsOf(() => loadConfig(kafka, { KAFKA_BROKERS: ' , ' }))).toEqual([
      'KAFKA_BROKERS must list at least one value',
    ]);
  });
});

describe('the Redis and ops defaults', () => {
  it('bound every command, and listen for the probes on loopback only', () => {
    expect(loadConfig(redis, {})).toMatchObject({
      REDIS_KEY_PREFIX: 'wfm',
      REDIS_COMMAND_TIMEOUT: 10_000,
    });
    expect(loadConfig(z.object(opsSettings), {}).OPS_HOST).toBe('127.0.0.1');
    expect(loadConfig(z.object(opsSettings), { OPS_HOST: '0.0.0.0' }).OPS_HOST).toBe('0.0.0.0');
  });
});

describe('withoutCredentials', () => {
  it('takes the userinfo out of a URL, percent-decoded', () => {
    expect(withoutCredentials('https://wfm%40corp:p%3Ass@wfm.example/import?x=1')).toEqual({
      url: 'https://wfm.example/import?x=1',
      basic: { username: 'wfm@corp', password: 'p:ss' },
    });
    expect(withoutCredentials('http://wfm:8080/status')).toEqual({
      url: 'http://wfm:8080/status',
    });
    expect(hasCredentials('http://:token@wfm/')).toBe(true);
    expect(hasCredentials('http://wfm/')).toBe(false);
    expect(hasCredentials('no url')).toBe(false);
  });
});
