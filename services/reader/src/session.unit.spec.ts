import { describe, expect, it } from 'vitest';

import { createAuthenticator } from './auth.js';
import {
  clearedSessionCookie,
  cookieValue,
  deriveSessionSecret,
  sessionCookie,
  SessionTokens,
} from './session.js';

const HOUR = 3_600_000;

describe('session tokens', () => {
  const secret = deriveSessionSecret(['key-1', 'key-2']);
  const tokens = new SessionTokens(secret, ['key-1', 'key-2'], 12 * HOUR);

  it('accepts a token it issued until it expires', () => {
    const token = tokens.issue('key-1', 1_000);
    expect(tokens.verify(token, 1_000 + 11 * HOUR)).toBe(true);
    expect(tokens.verify(token, 1_000 + 12 * HOUR)).toBe(false);
  });

  it('holds no credential', () => {
    expect(tokens.issue('key-1', 0)).not.toContain('key-1');
  });

  it('refuses a tampered token, a foreign secret, and garbage', () => {
    const token = tokens.issue('key-1', 0);
    const [body = '', sig = ''] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ v: 1, exp: 9e15, fp: 'x' })).toString('base64url');
    expect(tokens.verify(`${forged}.${sig}`, 0)).toBe(false);
    expect(tokens.verify(`${body}.${sig.slice(1)}`, 0)).toBe(false);
    const other = new SessionTokens(deriveSessionSecret(['other']), ['key-1'], HOUR);
    expect(other.verify(token, 0)).toBe(false);
    for (const junk of ['', '.', 'abc', 'a.b.c', 'x'.repeat(600)])
      expect(tokens.verify(junk, 0)).toBe(false);
  });

  it('ends the sessions of a credential that is no longer configured', () => {
    const token = tokens.issue('key-2', 0);
    const after = new SessionTokens(secret, ['key-1'], 12 * HOUR);
    expect(after.verify(token, 1)).toBe(false);
  });

  it('derives the same secret from the same credentials, in any order', () => {
    expect(deriveSessionSecret(['b', 'a']).equals(deriveSessionSecret(['a', 'b']))).toBe(true);
    expect(deriveSessionSecret(['a']).equals(deriveSessionSecret(['a', 'b']))).toBe(false);
  });
});

describe('cookies', () => {
  it('is HttpOnly and SameSite=Strict, Secure over HTTPS', () => {
    expect(sessionCookie('t', 60, false)).toBe(
      'wfm_session=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=60',
    );
    expect(sessionCookie('t', 60, true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toContain('Max-Age=0');
  });

  it('reads one cookie of a header', () => {
    expect(cookieValue('a=1; wfm_session=xyz; b=2', 'wfm_session')).toBe('xyz');
    expect(cookieValue('a=1', 'wfm_session')).toBeUndefined();
    expect(cookieValue(undefined, 'wfm_session')).toBeUndefined();
  });
});

describe('the authenticator with sessions', () => {
  const settings = { mode: 'api-key' as const, apiKeys: ['k'], basicUsers: [] };
  const tokens = new SessionTokens(deriveSessionSecret(['k']), ['k'], HOUR);
  const auth = createAuthenticator(settings, tokens, () => 10);

  it('lets a request through with the key or a valid session cookie, not otherwise', () => {
    expect(() => {
      auth.check({ 'x-api-key': 'k' });
    }).not.toThrow();
    expect(() => {
      auth.check({ cookie: `wfm_session=${tokens.issue('k', 0)}` });
    }).not.toThrow();
    expect(() => {
      auth.check({ cookie: 'wfm_session=forged.token' });
    }).toThrow('unauthorized');
    expect(() => {
      auth.check({ 'x-api-key': 'wrong' });
    }).toThrow('unauthorized');
  });

  it('tells a login credential from a wrong one', () => {
    expect(auth.accepts('k')).toBe(true);
    expect(auth.accepts('')).toBe(false);
    expect(auth.accepts('kk')).toBe(false);
  });
});
