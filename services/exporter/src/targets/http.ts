import { withoutCredentials } from '@wfm-stream/config';
import { redactText, redactUrl } from '@wfm-stream/observability';

import { DeliveryError } from './types.js';

/**
 * Where and how to POST: the URL, credentials and extra headers of an HTTP target. The
 * URL may carry basic credentials (`https://user:pass@wfm/import`); they are sent as an
 * `Authorization` header and never appear in an error (docs/security.md).
 */
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

function authorization(
  endpoint: HttpEndpoint,
  fromUrl: { username: string; password: string } | undefined,
): string | undefined {
  if (endpoint.bearerToken !== undefined) return `Bearer ${endpoint.bearerToken}`;
  const basic =
    endpoint.username === undefined
      ? fromUrl
      : { username: endpoint.username, password: endpoint.password ?? '' };
  if (basic === undefined) return undefined;
  return `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
}

/** Seconds or an HTTP date, as Retry-After carries them; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A request's signal and what unhooks it from the caller's. */
export interface RequestSignal {
  readonly signal: AbortSignal;
  /** Clears the timeout and removes the listener on the caller's signal. */
  done(): void;
}

/**
 * A signal aborted when `parent` is, or after `timeoutMs` with a TimeoutError. Not
 * `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 every such call leaves a
 * dependant on `parent` that is never released, and `parent` is the worker's, alive as long
 * as the process, so each delivery grew the heap for good (docs/capacity.md, "Soak").
 */
export function requestSignal(parent: AbortSignal, timeoutMs: number): RequestSignal {
  const controller = new AbortController();
  const onAbort = (): void => {
    controller.abort(parent.reason);
  };
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}

const RETRIABLE_STATUS = new Set([408, 425, 429]);

/** Where a redirect pointed, for the error: the Location resolved, its userinfo redacted. */
function redirectTarget(location: string | null, base: string): string {
  if (location === null) return 'no Location';
  try {
    return `Location ${redactUrl(new URL(location, base)).slice(0, 300)}`;
  } catch {
    return 'an unreadable Location';
  }
}

/**
 * POSTs a body. Success is any 2xx. Connection failures, timeouts, 408/425/429 and 5xx
 * are retriable (Retry-After honoured through the error); any other status means the
 * target refuses the request as it is, and is not. Redirects are not followed: a 3xx is
 * a failed delivery that names where it pointed, and is not retried (a redirect could
 * send the records and the credentials anywhere; configure the final URL instead).
 */
export async function post(
  endpoint: HttpEndpoint,
  body: string,
  options: PostOptions,
): Promise<void> {
  const { url, basic } = withoutCredentials(endpoint.url);
  const headers: Record<string, string> = {
    ...(endpoint.headers ?? {}),
    ...(options.headers ?? {}),
    'content-type': options.contentType,
    'idempotency-key': options.idempotencyKey,
  };
  const auth = authorization(endpoint, basic);
  if (auth !== undefined) headers.authorization = auth;
  // the timeout covers the answer's body too, so the signal is unhooked once it is read
  const request = requestSignal(options.signal, options.timeoutMs);
  try {
    await send(url, headers, body, options, request.signal);
  } finally {
    request.done();
  }
}

async function send(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs} ms`
        : (cause?.code ??
          cause?.message ??
          (error instanceof Error ? error.message : String(error)));
    throw new DeliveryError(`POST ${url} failed: ${redactText(why)}`, true, undefined, {
      cause: error,
    });
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return;
  const status = response.status;
  if (status >= 300 && status < 400) {
    const to = redirectTarget(response.headers.get('location'), url);
    throw new DeliveryError(
      `POST ${url} answered ${status} (${to}): redirects are not followed; set the target's URL to where it should post`,
      false,
    );
  }
  const retriable = status >= 500 || RETRIABLE_STATUS.has(status);
  // the answer may quote the request: no URL userinfo, no Authorization value
  const detail = redactText(text.trim().slice(0, 200));
  throw new DeliveryError(
    `POST ${url} answered ${status}${detail === '' ? '' : `: ${detail}`}`,
    retriable,
    retriable ? retryAfterMs(response.headers.get('retry-after')) : undefined,
  );
}
