/**
 * How an error appears in a log line: its type, code and message, a short stack, and
 * nothing a client library attached besides. ioredis attaches the whole failed command
 * (a batch's script arguments: about 1.4 MB) to a ReplyError; logged as is, one retried
 * batch wrote 92 MB of log in minutes. docs/architecture.md, "Failures and retries".
 */
export const MAX_LOGGED_MESSAGE = 1_000;
const MAX_STACK_LINES = 8;

export interface LoggedError {
  readonly type: string;
  readonly message: string;
  readonly code?: string | number;
  readonly command?: string;
  readonly retriable?: boolean;
  readonly stack?: string;
  readonly cause?: LoggedError;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

export function serializeError(value: unknown, depth = 0): LoggedError {
  if (typeof value !== 'object' || value === null)
    return { type: typeof value, message: cut(String(value), MAX_LOGGED_MESSAGE) };
  const error = value as Record<string, unknown>;
  const type =
    typeof error.name === 'string'
      ? error.name
      : ((value as { constructor?: { name?: string } }).constructor?.name ?? 'Error');
  const message = typeof error.message === 'string' ? error.message : '';
  const out: Record<string, unknown> = { type, message: cut(message, MAX_LOGGED_MESSAGE) };
  if (typeof error.code === 'string' || typeof error.code === 'number') out.code = error.code;
  if (typeof error.retriable === 'boolean') out.retriable = error.retriable;
  // ioredis: { name, args }: the name only
  const command = error.command as { name?: unknown } | undefined;
  if (typeof command?.name === 'string') out.command = command.name;
  if (typeof error.stack === 'string')
    out.stack = cut(error.stack.split('\n').slice(0, MAX_STACK_LINES).join('\n'), 2_000);
  if (depth < 3 && error.cause !== undefined && error.cause !== value)
    out.cause = serializeError(error.cause, depth + 1);
  return out as unknown as LoggedError;
}
