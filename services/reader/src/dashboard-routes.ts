import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import type { FastifyReply, FastifyRequest } from 'fastify';

import type { ReaderApp } from './app.js';
import type { Authenticator, AuthMode } from './auth.js';
import { ApiError } from './errors.js';
import { clearedSessionCookie, sessionCookie, type SessionTokens } from './session.js';

export const DASHBOARD_PATH = '/dashboard';
export const SESSION_PATH = '/dashboard/session';
const ASSETS_PREFIX = '/dashboard/assets/';

/** Paths of the dashboard that need no credentials: the page itself and the login. */
export function isPublicDashboardPath(path: string): boolean {
  return (
    path === DASHBOARD_PATH ||
    path === `${DASHBOARD_PATH}/` ||
    path === SESSION_PATH ||
    path.startsWith(ASSETS_PREFIX)
  );
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Nothing but the reader's own origin: no script, style, font or connection elsewhere,
 * no inline script, and no framing (docs/dashboard.md).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
}

/** The built page, read once at start-up: the files are small and never change while running. */
function loadAssets(dir: string): { index?: Asset; files: Map<string, Asset> } {
  const files = new Map<string, Asset>();
  const read = (file: string): Asset | undefined => {
    const type = CONTENT_TYPES[path.extname(file)];
    if (type === undefined) return undefined;
    const body = fs.readFileSync(file);
    return { type, body, gzip: gzipSync(body, { level: 9 }) };
  };
  const assetsDir = path.join(dir, 'assets');
  if (fs.existsSync(assetsDir)) {
    for (const name of fs.readdirSync(assetsDir)) {
      const asset = read(path.join(assetsDir, name));
      if (asset !== undefined) files.set(name, asset);
    }
  }
  const indexFile = path.join(dir, 'index.html');
  const index = fs.existsSync(indexFile) ? read(indexFile) : undefined;
  return index === undefined ? { files } : { index, files };
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  void reply.type(asset.type).header('vary', 'accept-encoding');
  if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? ''))
    return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

/** Secure cookies when the request came over HTTPS (directly, or as a proxy says). */
function isHttps(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  return request.protocol === 'https' || forwarded === 'https';
}

/** A browser's POST from another origin is refused (the cookie is SameSite=Strict too). */
function checkOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (host !== request.headers.host)
    throw new ApiError(401, '', 'unauthorized', 'A login must come from the dashboard itself.');
}

export interface DashboardRouteOptions {
  readonly assetsDir: string;
  readonly mode: AuthMode;
  readonly authenticator: Authenticator;
  readonly sessions: SessionTokens;
  readonly now?: () => number;
}

/**
 * The dashboard (docs/dashboard.md): the page and its hashed assets, and the login that
 * turns an API key (or a user and password) into an HttpOnly, SameSite=Strict session
 * cookie, so the credential never sits in a URL or in the page's storage.
 */
export function registerDashboardRoutes(app: ReaderApp, options: DashboardRouteOptions): void {
  const now = options.now ?? Date.now;
  const assets = loadAssets(options.assetsDir);
  const page = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (assets.index === undefined) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `npm run build` (docs/dashboard.md).');
    }
    void reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer');
    return sendAsset(request, reply, assets.index);
  };
  app.get(DASHBOARD_PATH, page);
  app.get(`${DASHBOARD_PATH}/`, page);
  app.get(`${ASSETS_PREFIX}:file`, async (request, reply) => {
    const { file } = request.params as { file: string };
    const asset = assets.files.get(file);
    if (asset === undefined)
      return reply
        .status(404)
        .send({ field: '', message: 'not found', description: 'No such file.' });
    void reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff');
    return sendAsset(request, reply, asset);
  });

  app.get(SESSION_PATH, async (request, reply) => {
    let authenticated = true;
    try {
      options.authenticator.check(request.headers);
    } catch {
      authenticated = false;
    }
    void reply.header('cache-control', 'no-store');
    return reply.send({ authenticated, mode: options.mode });
  });
  app.post(SESSION_PATH, { bodyLimit: 4096 }, async (request, reply) => {
    checkOrigin(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const text = (name: string): string => (typeof body[name] === 'string' ? body[name] : '');
    const credential =
      options.mode === 'basic' ? `${text('username')}:${text('password')}` : text('apiKey');
    if (
      options.mode !== 'none' &&
      (credential === ':' || !options.authenticator.accepts(credential))
    )
      throw new ApiError(
        401,
        '',
        'unauthorized',
        options.mode === 'basic' ? 'Wrong user or password.' : 'This API key is not accepted.',
      );
    const token = options.sessions.issue(options.mode === 'none' ? '' : credential, now());
    void reply
      .header('set-cookie', sessionCookie(token, options.sessions.maxAgeSeconds, isHttps(request)))
      .header('cache-control', 'no-store');
    return reply.status(204).send();
  });
  app.delete(SESSION_PATH, async (request, reply) => {
    checkOrigin(request);
    void reply.header('set-cookie', clearedSessionCookie(isHttps(request)));
    return reply.status(204).send();
  });
}
