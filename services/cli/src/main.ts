#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { runStart } from './commands/start.js';

const USAGE = `wfm-stream <command> [options]

Commands:
  start     run the whole pipeline locally (Redis, a Kafka-protocol broker, every service, traffic)
            --traffic scenario|none   traffic source (default scenario)
            --partitions N            partitions per event topic (default 6)
            --state-dir DIR           logs and endpoints.json (default .wfm-stream)
            --reader-port N           port of the reader (default: a free one)
  help      this text
`;

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
      if (traffic !== 'scenario' && traffic !== 'none') {
        process.stderr.write(`--traffic must be scenario or none, not ${traffic}\n`);
        return 2;
      }
      const partitions = Number(values.partitions);
      if (!Number.isInteger(partitions) || partitions < 1 || partitions > 256) {
        process.stderr.write('--partitions must be a whole number from 1 to 256\n');
        return 2;
      }
      return runStart({
        traffic: traffic,
        partitions,
        stateDir: values['state-dir'],
        readerPort: values['reader-port'] === undefined ? undefined : Number(values['reader-port']),
        env: process.env,
        print: (line) => process.stdout.write(`${line}\n`),
      });
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
