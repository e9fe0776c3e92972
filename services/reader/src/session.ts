import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The dashboard's session cookie (docs/dashboard.md, "Logging in"). */
export const SESSION_COOKIE = 'wfm_session';

/** Longest cookie header read; a larger one is not a session. */
const MAX_COOKIE_HEADER = 8 * 1024;

/** A credential's fingerprint: what a session names, so that removing the credential ends it. */
export function credentialFingerprint(credential: string): string {
  return createHash('sha256').update(credential).digest('base64url').slice(0, 22);
}

/**
 * The secret that signs sessions when READER_SESSION_SECRET is not set: an HMAC over the
 * configured credentials, so every replica with the same credentials derives the same
 * secret (sessions survive restarts and work across replicas), and a change of
 * credentials ends every session.
 */
export function deriveSessionSecret(credentials: readonly string[]): Buffer {
  const hmac = createHmac('sha256', 'wfm-stream dashboard session v1');
  for (const credential of [...credentials].sort()) hmac.update(`${credential}\n`);
  return hmac.digest();
}

interface SessionPayload {
  readonly v: 1;
  /** Expiry, epoch ms. */
  readonly exp: number;
  /** The fingerprint of the credential that logged in. */
  readonly fp: string;
}

/**
 * Stateless sessions: the cookie holds its expiry and the fingerprint of the credential
 * that logged in, signed with HMAC-SHA256. Any reader replica can check it without
 * shared state. A session is valid while it has not expired, its signature matches, and
 * its credential is still configured.
 */
export class SessionTokens {
  private readonly valid: ReadonlySet<string>;

  constructor(
    private readonly secret: Buffer,
    credentials: readonly string[],
    private readonly ttlMs: number,
  ) {
    this.valid = new Set(credentials.map(credentialFingerprint));
  }

  get maxAgeSeconds(): number {
    return Math.floor(this.ttlMs / 1000);
  }

  issue(credential: string, nowMs: number): string {
    const payload: SessionPayload = {
      v: 1,
      exp: nowMs + this.ttlMs,
      fp: credentialFingerprint(credential),
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  verify(token: string, nowMs: number): boolean {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 512) return false;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    try {
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<
        Record<keyof SessionPayload, unknown>
      >;
      return (
        payload.v === 1 &&
        typeof payload.exp === 'number' &&
        payload.exp > nowMs &&
        typeof payload.fp === 'string' &&
        this.valid.has(payload.fp)
      );
    } catch {
      return false;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

/** One cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined || header.length > MAX_COOKIE_HEADER) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value of a session: HttpOnly, SameSite=Strict, for the whole origin. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** The Set-Cookie value that ends a session. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}
