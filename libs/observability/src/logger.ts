import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

import { serializeError } from './error-serializer.js';
import { redactText } from './redact.js';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The one way a service creates its root logger: JSON lines on stdout, a constant message
 * plus a context object, the service name on every line. Libraries never create loggers;
 * they receive a child of this one.
 */
export function createLogger(
  service: string,
  level: LogLevel = 'info',
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // errors are logged bounded, under `err` and `error` alike
      serializers: { err: serializeError, error: serializeError },
      // every line, whatever it quotes: no URL userinfo, no Authorization value (docs/security.md)
      hooks: { streamWrite: redactText },
    },
    destination,
  );
}

/** A logger that writes nothing, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
