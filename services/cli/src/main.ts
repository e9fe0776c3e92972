#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { runPublish } from './commands/publish.js';
import { runStart } from './commands/start.js';

const USAGE = `wfm-stream <command> [options]

  start       run the whole pipeline locally: Redis, a Kafka-protocol broker, every service, traffic
                --traffic scenario|none     traffic source (default scenario)
                --partitions N              partitions per event topic (default 6)
                --state-dir DIR             logs and endpoints.json (default .wfm-stream)
                --reader-port N             port of the reader (default: a free one)

  publish [FILE|-]
              publish NDJSON events (one per line) from FILE or standard input to their topics
                --rate N                    at most N events per second (default: as fast as possible)
                --batch N                   events per request (default 500)
                --check                     validate only, publish nothing
              Exit code 1 when lines were invalid (they are reported by number, the rest published).

Kafka, topics and the Schema Registry come from the environment (KAFKA_BROKERS, TOPIC_*,
SCHEMA_REGISTRY_URL; see docs/configuration.md). Without KAFKA_BROKERS, the commands use
the broker of a running \`npm start\` (.wfm-stream/endpoints.json).
`;

function fail(message: string): number {
  process.stderr.write(`${message}\n\n${USAGE}`);
  return 2;
}

function positiveInt(
  text: string | undefined,
  name: string,
  fallback?: number,
): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${name} must be a whole number of at least 1`);
  return value;
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const { values } = parseArgs({
        args: rest,
        options: {
          traffic: { type: 'string', default: 'scenario' },
          partitions: { type: 'string', default: '6' },
          'state-dir': { type: 'string', default: '.wfm-stream' },
          'reader-port': { type: 'string' },
        },
      });
      const traffic = values.traffic;
      if (traffic !== 'scenario' && traffic !== 'none')
        return fail(`--traffic must be scenario or none, not ${traffic}`);
      const partitions = positiveInt(values.partitions, '--partitions') ?? 6;
      if (partitions > 256) return fail('--partitions must be at most 256');
      return runStart({
        traffic,
        partitions,
        stateDir: values['state-dir'],
        readerPort: positiveInt(values['reader-port'], '--reader-port'),
        env: process.env,
        print: (line) => process.stdout.write(`${line}\n`),
      });
    }
    case 'publish': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          rate: { type: 'string' },
          batch: { type: 'string', default: '500' },
          check: { type: 'boolean', default: false },
        },
      });
      if (positionals.length > 1) return fail('publish reads one file (or - for standard input)');
      return runPublish({
        input: positionals[0] ?? '-',
        rate: positiveInt(values.rate, '--rate'),
        batchSize: positiveInt(values.batch, '--batch') ?? 500,
        check: values.check,
        env: process.env,
        stdin: process.stdin,
        stdout: process.stdout,
        stderr: process.stderr,
      });
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      return fail(`unknown command ${command}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
    process.exitCode = fail(error.message);
  } else {
    throw error;
  }
}
