import { loadConfig, REDIS_REQUIRED } from '@wfm-stream/config';
import { UNCONNECTED_ADDRESSES } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { DEFAULT_SERVER_LIMITS } from './app.js';
import { readerConfigSchema, serverLimitsOf } from './config.js';

describe('reader settings', () => {
  it('bound connections, requests, bodies and parameters by default (docs/security.md)', () => {
    const config = loadConfig(readerConfigSchema, {
      ...UNCONNECTED_ADDRESSES,
      READER_API_KEYS: 'k',
    });
    expect(serverLimitsOf(config)).toEqual(DEFAULT_SERVER_LIMITS);
    expect(DEFAULT_SERVER_LIMITS).toEqual({
      connectionTimeoutMs: 60_000,
      requestTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      redisRetryBudgetMs: 5_000,
      bodyLimitBytes: 16_384,
      maxParamLength: 100,
    });
    // the probes stay on the API port unless OPS_PORT moves them
    expect(config.OPS_PORT).toBeUndefined();
    expect(
      loadConfig(readerConfigSchema, {
        ...UNCONNECTED_ADDRESSES,
        READER_API_KEYS: 'k',
        OPS_PORT: '9467',
      }).OPS_PORT,
    ).toBe(9467);
  });

  it('keep the live stream open between heartbeats', () => {
    expect(() =>
      loadConfig(readerConfigSchema, {
        ...UNCONNECTED_ADDRESSES,
        READER_API_KEYS: 'k',
        READER_CONNECTION_TIMEOUT: '10s',
        LIVE_HEARTBEAT_INTERVAL: '10s',
      }),
    ).toThrow(/READER_CONNECTION_TIMEOUT must be longer than LIVE_HEARTBEAT_INTERVAL/);
  });

  it('require a Redis: no default reaches a server on this machine', () => {
    expect(() => loadConfig(readerConfigSchema, { READER_API_KEYS: 'k' })).toThrow(REDIS_REQUIRED);
  });
});
