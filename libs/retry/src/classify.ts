/**
 * Whether an error says "try again later" (a server away, busy or failing over) or "this
 * will fail every time" (a bug, a script error, bad data). Retriable errors are retried
 * without limit, with backoff: the dependency comes back, and nothing is lost meanwhile.
 * Errors that are not are retried a few times, then the work that causes them is set
 * aside (a poison record goes to the dead-letter topic).
 */
export type ErrorClass = 'retriable' | 'permanent';

/** Redis answers that mean "not now": loading, busy with a script, a slot moving, a failover. */
const REDIS_NOT_NOW =
  /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|READONLY|MASTERDOWN|NOREPLICAS|MOVED|ASK)\b/;

/** Errors from the network stack or a client that lost its connection. */
const CONNECTION =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|socket hang up|Connection is closed|Stream isn't writeable|enableOfflineQueue|MaxRetriesPerRequest|Command timed out|timed out|connect ETIMEDOUT|Failed to refresh slots cache|None of startup nodes is available|Too many Cluster redirections|CLUSTERDOWN/i;

function fieldOf(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

export function classifyError(error: unknown): ErrorClass {
  if (typeof error !== 'object' || error === null) return 'permanent';
  // programmer errors never get better by waiting
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError)
    return 'permanent';
  // a library that says so (kafkajs: `retriable`; our own RegistryUnavailableError)
  const retriable = fieldOf(error, 'retriable');
  if (typeof retriable === 'boolean') return retriable ? 'retriable' : 'permanent';
  const nameField = fieldOf(error, 'name');
  const name = typeof nameField === 'string' ? nameField : '';
  const messageField = fieldOf(error, 'message');
  const message = typeof messageField === 'string' ? messageField : '';
  if (name === 'RegistryUnavailableError') return 'retriable';
  if (name === 'ReplyError') {
    // a script that fails (ERR user_script…, ERR Error running script) fails every time
    return REDIS_NOT_NOW.test(message) ? 'retriable' : 'permanent';
  }
  if (name === 'MaxRetriesPerRequestError' || name === 'AbortError') return 'retriable';
  if (CONNECTION.test(message)) return 'retriable';
  const code = fieldOf(error, 'code');
  if (typeof code === 'string' && CONNECTION.test(code)) return 'retriable';
  const cause = fieldOf(error, 'cause');
  if (cause !== undefined && cause !== error) return classifyError(cause);
  return 'permanent';
}
