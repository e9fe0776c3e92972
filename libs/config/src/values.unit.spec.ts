import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { configProblems, loadConfig } from './load.js';
import { parseDurationMs, setting } from './values.js';

const schema = z.object({
  URL: setting.url(),
  REDIS: setting.url('redis://127.0.0.1:6379', ['redis', 'rediss']),
  COUNT: setting.int(4, 1, 64),
  ON: setting.bool(false),
  WAIT: setting.duration('30s'),
  NAMES: setting.list('a,b'),
  MODE: setting.oneOf(['fast', 'safe'], 'safe'),
  ZONE: setting.timeZone('UTC'),
});

const problems = (env: Record<string, string>): readonly string[] =>
  configProblems(() => loadConfig(schema, { URL: 'http://wfm.example/status', ...env }));

describe('settings', () => {
  it('yield typed values and their defaults; blank counts as unset', () => {
    expect(
      loadConfig(schema, { URL: ' https://wfm.example/a ', WAIT: '', NAMES: 'x, ,y' }),
    ).toMatchObject({
      URL: 'https://wfm.example/a',
      COUNT: 4,
      ON: false,
      WAIT: 30_000,
      NAMES: ['x', 'y'],
      MODE: 'safe',
    });
    expect(loadConfig(schema, { URL: 'http://h', ON: 'yes', COUNT: '64' })).toMatchObject({
      ON: true,
      COUNT: 64,
    });
  });

  it('take durations with or without a unit', () => {
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('1.5s')).toBe(1_500);
    expect(parseDurationMs('15m')).toBe(900_000);
    expect(parseDurationMs('7d')).toBe(604_800_000);
    expect(parseDurationMs('250')).toBe(250);
    expect(parseDurationMs('soon')).toBeUndefined();
    expect(parseDurationMs('-5s')).toBeUndefined();
  });

  it('name each bad variable and say what it must be, all at once', () => {
    expect(
      problems({ COUNT: '65', ON: 'maybe', WAIT: '0s', MODE: 'quick', ZONE: 'Mars/Base' }),
    ).toEqual([
      'COUNT must be a whole number from 1 to 64',
      'ON must be true or false',
      'WAIT must be a duration such as 500ms, 30s, 15m, 36h or 7d',
      'MODE must be one of fast, safe',
      'ZONE must be an IANA time zone name such as UTC or Europe/Berlin',
    ]);
    expect(loadConfig.bind(undefined, schema, {})).toThrow('URL is required');
  });

  it('accept only http and https URLs where the services call over HTTP', () => {
    for (const bad of [
      'wfm.example/status',
      'ftp://wfm.example/',
      'file:///etc/passwd',
      'redis://r:6379',
    ])
      expect(problems({ URL: bad }), bad).toEqual([
        'URL must be a URL starting with http:// or https://',
      ]);
    expect(problems({ URL: 'https://user:pw@wfm.example:8443/ccwfm/api/rest/status' })).toEqual([]);
  });

  it('accept only redis and rediss URLs for Redis', () => {
    expect(loadConfig(schema, { URL: 'http://h' }).REDIS).toBe('redis://127.0.0.1:6379');
    expect(problems({ REDIS: 'rediss://:pw@cache.example:6380/2' })).toEqual([]);
    for (const bad of ['http://cache.example:6379', 'cache.example:6379'])
      expect(problems({ REDIS: bad }), bad).toEqual([
        'REDIS must be a URL starting with redis:// or rediss://',
      ]);
  });
});
