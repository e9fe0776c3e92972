import { configProblems, loadConfig, REDIS_REQUIRED } from '@wfm-stream/config';
import { UNCONNECTED_ADDRESSES } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { emitterConfigSchema } from './config.js';

const problems = (env: Record<string, string>): readonly string[] =>
  configProblems(() => loadConfig(emitterConfigSchema, { ...UNCONNECTED_ADDRESSES, ...env }));

describe('emitter settings', () => {
  it('take basic credentials in WFM_STATUS_URL, or beside it, not both', () => {
    expect(problems({ WFM_STATUS_URL: 'http://wfm:s3cret@wfm/ccwfm/api/rest/status' })).toEqual([]);
    const both = problems({
      WFM_STATUS_URL: 'http://wfm:s3cret@wfm/ccwfm/api/rest/status',
      WFM_STATUS_TOKEN: 'token',
    });
    expect(both).toEqual([expect.stringMatching(/^WFM_STATUS_URL carries credentials/)]);
    // the message names the setting, never its value
    expect(both.join('\n')).not.toContain('s3cret');
  });

  it('serve /healthz, /readyz and /metrics on loopback unless OPS_HOST says otherwise', () => {
    const config = loadConfig(emitterConfigSchema, {
      ...UNCONNECTED_ADDRESSES,
      WFM_STATUS_URL: 'http://wfm/status',
    });
    expect(config.OPS_HOST).toBe('127.0.0.1');
  });

  it('require the brokers and the Redis: no default reaches a server on this machine', () => {
    expect(
      configProblems(() =>
        loadConfig(emitterConfigSchema, { WFM_STATUS_URL: 'http://wfm/status' }),
      ),
    ).toEqual([
      expect.stringMatching(/^KAFKA_BROKERS is required: the Kafka bootstrap servers/),
      REDIS_REQUIRED,
    ]);
    // a Redis Cluster needs no REDIS_URL (its nodes take no credentials then)
    expect(
      loadConfig(emitterConfigSchema, {
        KAFKA_BROKERS: 'k:9092',
        REDIS_CLUSTER_NODES: 'r1:6379,r2:6379',
        WFM_STATUS_URL: 'http://wfm/status',
      }).REDIS_URL,
    ).toBeUndefined();
  });
});
