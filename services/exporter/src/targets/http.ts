import { DeliveryError } from './types.js';

/** Where and how to POST: the URL, credentials and extra headers of an HTTP target. */
export interface HttpEndpoint {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly bearerToken?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

export interface PostOptions {
  readonly contentType: string;
  readonly idempotencyKey: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `https://wfm/api` + `queue-statistics` → `https://wfm/api/queue-statistics`. */
export function joinUrl(base: string, path: string): string {
  if (path === '') return base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function authorization(endpoint: HttpEndpoint): string | undefined {
  if (endpoint.bearerToken !== undefined) return `Bearer ${endpoint.bearerToken}`;
  if (endpoint.username !== undefined) {
    const pair = `${endpoint.username}:${endpoint.password ?? ''}`;
    return `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  return undefined;
}

/** Seconds or an HTTP date, as Retry-After carries them; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const RETRIABLE_STATUS = new Set([408, 425, 429]);

/**
 * POSTs a body. Success is any 2xx. Connection failures, timeouts, 408/425/429 and 5xx
 * are retriable (Retry-After honoured through the error); any other status means the
 * target refuses the request as it is, and is not.
 */
export async function post(
  endpoint: HttpEndpoint,
  body: string,
  options: PostOptions,
): Promise<void> {
  const headers: Record<string, string> = {
    ...(endpoint.headers ?? {}),
    ...(options.headers ?? {}),
    'content-type': options.contentType,
    'idempotency-key': options.idempotencyKey,
  };
  const auth = authorization(endpoint);
  if (auth !== undefined) headers.authorization = auth;
  let response: Response;
  try {
    response = await fetch(endpoint.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs} ms`
        : (cause?.code ??
          cause?.message ??
          (error instanceof Error ? error.message : String(error)));
    throw new DeliveryError(`POST ${endpoint.url} failed: ${why}`, true, undefined, {
      cause: error,
    });
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return;
  const status = response.status;
  const retriable = status >= 500 || RETRIABLE_STATUS.has(status);
  const detail = text.trim().slice(0, 200);
  throw new DeliveryError(
    `POST ${endpoint.url} answered ${status}${detail === '' ? '' : `: ${detail}`}`,
    retriable,
    retriable ? retryAfterMs(response.headers.get('retry-after')) : undefined,
  );
}
