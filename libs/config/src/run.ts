import { createLogger, type Logger, type LogLevel } from '@wfm-stream/observability';
import type { z } from 'zod';

import { ConfigError, loadConfig } from './load.js';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface ServiceDefinition<S extends z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly start: (config: z.output<S>, logger: Logger) => Promise<Stoppable>;
  /** Longest a graceful stop may take before the process exits anyway. */
  readonly stopTimeoutMs?: number;
}

/**
 * The entry point of every service: validate the environment (a clear message and exit
 * code 2 when it is wrong), start, and stop gracefully on SIGTERM or SIGINT: finish the
 * work in hand, commit, leave consumer groups, close connections.
 */
export async function runService<S extends z.ZodType>(
  definition: ServiceDefinition<S>,
): Promise<void> {
  let config: z.output<S>;
  try {
    config = loadConfig(definition.schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const level = (config as { LOG_LEVEL?: LogLevel }).LOG_LEVEL ?? 'info';
  const logger = createLogger(definition.name, level);
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
  let service: Stoppable;
  try {
    service = await definition.start(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('graceful stop took too long; exiting');
      process.exit(1);
    }, definition.stopTimeoutMs ?? 25_000);
    timer.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.once('SIGINT', () => {
    stop('SIGINT');
  });
}
