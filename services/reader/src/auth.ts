import { createHash, timingSafeEqual } from 'node:crypto';

import { ApiError } from './errors.js';
import { cookieValue, SESSION_COOKIE, type SessionTokens } from './session.js';

export type AuthMode = 'api-key' | 'basic' | 'none';

export interface AuthSettings {
  readonly mode: AuthMode;
  /** Accepted API keys (`X-API-Key: <key>` or `Authorization: Bearer <key>`). */
  readonly apiKeys: readonly string[];
  /** Accepted `user:password` pairs for HTTP basic authentication. */
  readonly basicUsers: readonly string[];
}

/** Paths anyone may read: probes, metrics, the API description. */
export const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);

/** The credentials of the mode in use: the keys, or the `user:password` pairs. */
export function credentialsOf(settings: AuthSettings): readonly string[] {
  return settings.mode === 'api-key'
    ? settings.apiKeys
    : settings.mode === 'basic'
      ? settings.basicUsers
      : [];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time membership, so response times say nothing about the secrets. */
function matchesAny(candidate: string, secrets: readonly Buffer[]): boolean {
  const d = digest(candidate);
  let found = false;
  for (const secret of secrets) if (timingSafeEqual(d, secret)) found = true;
  return found;
}

type Headers = Record<string, string | string[] | undefined>;

export interface Authenticator {
  /** Throws a 401 ApiError when the request may not pass. */
  check(headers: Headers): void;
  /** Whether a credential (a key, or `user:password`) is one of the configured ones. */
  accepts(credential: string): boolean;
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a request's credentials: the API key or basic pair in its headers, or else a
 * dashboard session cookie (session.ts) when sessions are given.
 */
export function createAuthenticator(
  settings: AuthSettings,
  sessions?: SessionTokens,
  clock: () => number = Date.now,
): Authenticator {
  const secrets = credentialsOf(settings).map(digest);
  const denied = (how: string): ApiError =>
    new ApiError(401, '', 'unauthorized', `This API needs ${how}.`);
  const presented = (headers: Headers): string => {
    const authorization = header(headers, 'authorization') ?? '';
    if (settings.mode === 'api-key')
      return header(headers, 'x-api-key') ?? /^Bearer\s+(.+)$/i.exec(authorization)?.[1] ?? '';
    const encoded = /^Basic\s+(.+)$/i.exec(authorization)?.[1];
    return encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
  };
  return {
    check(headers) {
      if (settings.mode === 'none') return;
      const credential = presented(headers);
      if (credential !== '' && matchesAny(credential, secrets)) return;
      const token = cookieValue(header(headers, 'cookie'), SESSION_COOKIE);
      if (token !== undefined && token !== '' && sessions?.verify(token, clock()) === true) return;
      throw denied(
        settings.mode === 'api-key'
          ? 'an API key in the X-API-Key header'
          : 'HTTP basic authentication',
      );
    },
    accepts(credential) {
      if (settings.mode === 'none') return true;
      return credential !== '' && matchesAny(credential, secrets);
    },
  };
}
