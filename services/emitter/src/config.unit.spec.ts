import { ConfigError, loadConfig } from '@wfm-stream/config';
import { describe, expect, it } from 'vitest';

import { emitterConfigSchema } from './config.js';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(emitterConfigSchema, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

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
    const config = loadConfig(emitterConfigSchema, { WFM_STATUS_URL: 'http://wfm/status' });
    expect(config.OPS_HOST).toBe('127.0.0.1');
  });
});
