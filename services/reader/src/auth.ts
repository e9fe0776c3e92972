import { createHash, timingSafeEqual } from 'node:crypto';

import { ApiError } from './errors.js';

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

export interface Authenticator {
  /** Throws a 401 ApiError when the request may not pass. */
  check(headers: Record<string, string | string[] | undefined>): void;
}

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createAuthenticator(settings: AuthSettings): Authenticator {
  const keys = settings.apiKeys.map(digest);
  const users = settings.basicUsers.map(digest);
  const denied = (how: string): ApiError =>
    new ApiError(401, '', 'unauthorized', `This API needs ${how}.`);
  return {
    check(headers) {
      if (settings.mode === 'none') return;
      const authorization = header(headers, 'authorization') ?? '';
      if (settings.mode === 'api-key') {
        const key =
          header(headers, 'x-api-key') ?? /^Bearer\s+(.+)$/i.exec(authorization)?.[1] ?? '';
        if (key === '' || !matchesAny(key, keys))
          throw denied('an API key in the X-API-Key header');
        return;
      }
      const encoded = /^Basic\s+(.+)$/i.exec(authorization)?.[1];
      const pair = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
      if (pair === '' || !matchesAny(pair, users)) throw denied('HTTP basic authentication');
    },
  };
}
