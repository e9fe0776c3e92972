/**
 * The error model of docs/api.md, "Errors" (ARGUS WFM CC API §5): every error body is
 * `{field, message, description}`. Errors are values with a status; one handler turns
 * them into responses and never lets internals (stack traces, Redis messages) reach the
 * client.
 */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 405 | 408 | 413 | 414 | 415 | 431 | 500 | 503,
    readonly field: string,
    message: string,
    readonly description: string,
    /** Seconds for the Retry-After header of a 503. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): { field: string; message: string; description: string } {
    return { field: this.field, message: this.message, description: this.description };
  }
}

export function badRequest(field: string, message: string, description: string): ApiError {
  return new ApiError(400, field, message, description);
}

/** An error body with a status of its own (docs/api.md, "Errors"): no field, no internals. */
export function requestError(
  status: ApiError['status'],
  message: string,
  description: string,
): ApiError {
  return new ApiError(status, '', message, description);
}

export function notFound(field: string, description: string): ApiError {
  return new ApiError(404, field, 'no data', description);
}

export function internalError(): ApiError {
  return new ApiError(
    500,
    '',
    'internal error',
    'The request could not be answered because a system the API depends on failed. It can be retried.',
  );
}

/**
 * Redis could not serve within READER_REDIS_RETRY_BUDGET (a failover that takes longer, a
 * Redis away): a 503 with Retry-After, since the same request will succeed once it is back.
 */
export function redisUnavailable(retryAfterSeconds: number): ApiError {
  return new ApiError(
    503,
    '',
    'temporarily unavailable',
    'The store the API reads is failing over or unreachable. Retry after the seconds in Retry-After.',
    retryAfterSeconds,
  );
}
