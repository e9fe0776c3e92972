import { Writable } from 'node:stream';

import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { createLogger } from './logger.js';
import { describeAuthorization, redactText, redactUrl } from './redact.js';

describe('redactUrl', () => {
  it('replaces the whole userinfo, and keeps everything else', () => {
    expect(redactUrl('redis://app:s3cret@redis:6379/0')).toBe('redis://***@redis:6379/0');
    expect(redactUrl('rediss://:s3cret@redis:6380')).toBe('rediss://***@redis:6380');
    expect(redactUrl('https://token@wfm.example/import?x=1#y')).toBe(
      'https://***@wfm.example/import?x=1#y',
    );
    expect(redactUrl(new URL('http://u:p@127.0.0.1:9/a'))).toBe('http://***@127.0.0.1:9/a');
  });

  it('leaves a URL without userinfo as it is, and text that is no URL to redactText', () => {
    expect(redactUrl('http://wfm:8080/ccwfm/api/rest/status')).toBe(
      'http://wfm:8080/ccwfm/api/rest/status',
    );
    expect(redactUrl('not a url')).toBe('not a url');
  });
});

describe('redactText', () => {
  it('takes the userinfo out of every URL in a text, an unencoded @ in a password included', () => {
    expect(
      redactText('POST http://wfm:s3cret@10.0.0.1/import failed; retry redis://u:p@ss@r:1 later'),
    ).toBe('POST http://***@10.0.0.1/import failed; retry redis://***@r:1 later');
  });

  it('stops at the end of a URL: quotes, spaces and paths are not swallowed', () => {
    const line = '{"wfm":"http://a:b@h/x","mail":"ops@example.com","next":"http://h2/y@z"}';
    expect(redactText(line)).toBe(
      '{"wfm":"http://***@h/x","mail":"ops@example.com","next":"http://h2/y@z"}',
    );
  });

  it('replaces Authorization values by their scheme', () => {
    expect(redactText('echo: Authorization: Basic d2ZtOnMzY3JldA== and Bearer abc.def-ghi')).toBe(
      'echo: Authorization: Basic *** and Bearer ***',
    );
  });

  it('returns text without credentials unchanged', () => {
    expect(redactText('connect ECONNREFUSED 127.0.0.1:6379')).toBe(
      'connect ECONNREFUSED 127.0.0.1:6379',
    );
  });

  const secret = fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=%-]{6,20}$/);
  test.prop([secret, secret, fc.constantFrom('http', 'https', 'redis', 'rediss')])(
    'never lets a URL’s password through, whatever it is and wherever the URL stands',
    (user, password, scheme) => {
      const url = `${scheme}://${user}:${password}@host.example:1234/path`;
      for (const text of [url, `error: ${url}: refused`, JSON.stringify({ url })]) {
        const redacted = redactText(text);
        expect(redacted).not.toContain(`${user}:${password}`);
        expect(redacted).toContain(`${scheme}://***@host.example:1234/path`);
      }
    },
  );
});

describe('describeAuthorization', () => {
  it('keeps the scheme only', () => {
    expect(describeAuthorization('Basic d2ZtOnMzY3JldA==')).toBe('<redacted: Basic>');
    expect(describeAuthorization('Bearer abc')).toBe('<redacted: Bearer>');
    expect(describeAuthorization('')).toBe('<redacted: unknown scheme>');
  });
});

describe('createLogger', () => {
  it('writes no URL userinfo and no Authorization value, whatever a line quotes', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger('test', 'info', sink);
    logger.info({ wfm: 'http://wfm:s3cret@10.0.0.1/status' }, 'started');
    logger.warn({ err: new Error('connect to redis://:s3cret@redis:6379 failed') }, 'failed');
    logger.error('answered 400: Authorization: Basic d2ZtOnMzY3JldA==');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toMatch(/s3cret|d2ZtOnMzY3JldA/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ wfm: 'http://***@10.0.0.1/status' });
  });
});
