#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { loadConfig, setting } from '@wfm-stream/config';
import { z } from 'zod';

import { isoDate, parseDuration, parseSpeed, parseStart, positiveInt, UsageError } from './args.js';
import { EXPORTS_USAGE, runExports } from './commands/exports.js';
import { runPublish } from './commands/publish.js';
import { REBUILD_USAGE, runRebuild } from './commands/rebuild.js';
import { runStart, TRAFFIC_KINDS, type TrafficKind } from './commands/start.js';
import { runTopics, TOPICS_USAGE } from './commands/topics.js';
import { runTraffic } from './commands/traffic.js';
import { replaySource, replayToday, simulationSource } from './traffic/sources.js';

const USAGE = `wfm-stream <command> [options]

  start       run the whole pipeline locally: Redis, Apache Kafka, every service, traffic
                --traffic simulate|replay|none  traffic source (default simulate: the last 24 h at
                                            once, then live; replay: the bank's call log, its first
                                            day moved to today, live)
                --partitions N              partitions per event topic (default 6)
                --brokers 1|3               Kafka nodes (default 1; 3: replication factor 3)
                --schema-registry           run Apicurio Registry too; services and traffic use Avro
                --state-dir DIR             logs and endpoints.json (default .wfm-stream)
                --reader-port N             port of the reader (default: a free one)

  publish [FILE|-]
              NDJSON events (one per line) from FILE or standard input, to their topics
                --rate N                    at most N events per second (default: as fast as possible)
                --batch N                   events per request (default 500)
                --check                     validate only, publish nothing
              Exit code 1 when lines were invalid (they are reported by number, the rest published).

  simulate    a simulated contact center (deterministic from its seed)
                --seed N --groups N --agents N --contacts-per-hour N --chat-concurrency N --id-prefix P
                --start now|today|-24h|DATE|DATE-TIME   simulation start (default now)
                --duration 8h|7d            stop after this much simulated time (default: run until Ctrl-C)
                --speed realtime|max|N      pace (default realtime)
                --catch-up                  publish everything up to now at once, then pace

  replay      the real call log of February 1999 (Anonymous Bank, Israel time) as events
                --from DATE --to DATE       days of the log (default: all 28)
                --rebase today|DATE         move the first day to this date, keeping wall-clock times
                --speed N|realtime|max      pace (default 60: an hour per minute)
                --catch-up                  publish everything up to now at once, then pace
                --no-agent-states           leave out the agent states synthesized from the calls

  simulate and replay write to Kafka, or with --output FILE|- to NDJSON for publish.

${TOPICS_USAGE}
${EXPORTS_USAGE}
${REBUILD_USAGE}
Kafka, topics and the Schema Registry come from the environment (KAFKA_BROKERS, TOPIC_*,
SCHEMA_REGISTRY_URL; see docs/configuration.md). Without KAFKA_BROKERS, the commands use
the broker of a running \`npm start\` (.wfm-stream/endpoints.json). TIMEZONE sets the
simulated contact center's local time.
`;

const zoneSchema = z.object({ TIMEZONE: setting.timeZone('UTC') });

function withCtrlC<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return run(controller.signal).finally(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const io = { env: process.env, stdout: process.stdout, stderr: process.stderr };
  switch (command) {
    case 'start': {
      const { values } = parseArgs({
        args: rest,
        options: {
          traffic: { type: 'string', default: 'simulate' },
          partitions: { type: 'string', default: '6' },
          'state-dir': { type: 'string', default: '.wfm-stream' },
          'reader-port': { type: 'string' },
          brokers: { type: 'string', default: '1' },
          'schema-registry': { type: 'boolean', default: false },
        },
      });
      if (values.brokers !== '1' && values.brokers !== '3')
        throw new UsageError(`--brokers must be 1 or 3, not ${values.brokers}`);
      const traffic = values.traffic;
      if (!(TRAFFIC_KINDS as readonly string[]).includes(traffic)) {
        throw new UsageError(`--traffic must be ${TRAFFIC_KINDS.join(', ')}, not ${traffic}`);
      }
      const partitions = positiveInt(values.partitions, '--partitions') ?? 6;
      if (partitions > 256) throw new UsageError('--partitions must be at most 256');
      return runStart({
        traffic: traffic as TrafficKind,
        partitions,
        brokers: values.brokers === '3' ? 3 : 1,
        schemaRegistry: values['schema-registry'],
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
      if (positionals.length > 1)
        throw new UsageError('publish reads one file (or - for standard input)');
      return runPublish({
        ...io,
        input: positionals[0] ?? '-',
        rate: positiveInt(values.rate, '--rate'),
        batchSize: positiveInt(values.batch, '--batch') ?? 500,
        check: values.check,
        stdin: process.stdin,
      });
    }
    case 'simulate': {
      const { values } = parseArgs({
        args: rest,
        options: {
          seed: { type: 'string' },
          groups: { type: 'string' },
          agents: { type: 'string' },
          'contacts-per-hour': { type: 'string' },
          'chat-concurrency': { type: 'string' },
          'id-prefix': { type: 'string' },
          start: { type: 'string', default: 'now' },
          duration: { type: 'string' },
          speed: { type: 'string', default: 'realtime' },
          'catch-up': { type: 'boolean', default: false },
          output: { type: 'string' },
        },
      });
      const { TIMEZONE: zone } = loadConfig(zoneSchema, process.env);
      const startMs = parseStart(values.start, zone, Date.now());
      const duration = parseDuration(values.duration, '--duration');
      const seed = values.seed === undefined ? 1 : Number(values.seed);
      if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
      const source = simulationSource({
        startMs,
        zone,
        seed,
        ...(values.groups === undefined ? {} : { groups: positiveInt(values.groups, '--groups') }),
        ...(values.agents === undefined ? {} : { agents: positiveInt(values.agents, '--agents') }),
        ...(values['contacts-per-hour'] === undefined
          ? {}
          : { contactsPerHour: positiveInt(values['contacts-per-hour'], '--contacts-per-hour') }),
        ...(values['chat-concurrency'] === undefined
          ? {}
          : { chatConcurrency: positiveInt(values['chat-concurrency'], '--chat-concurrency') }),
        idPrefix: values['id-prefix'] ?? `sim${seed}`,
      });
      return withCtrlC((signal) =>
        runTraffic({
          ...io,
          source,
          speed: parseSpeed(values.speed),
          catchUp: values['catch-up'],
          untilMs: duration === undefined ? undefined : startMs + duration,
          output: values.output,
          signal,
        }),
      );
    }
    case 'replay': {
      const { values } = parseArgs({
        args: rest,
        options: {
          from: { type: 'string' },
          to: { type: 'string' },
          rebase: { type: 'string' },
          speed: { type: 'string', default: '60' },
          'catch-up': { type: 'boolean', default: false },
          'no-agent-states': { type: 'boolean', default: false },
          output: { type: 'string' },
        },
      });
      const rebase = values.rebase === 'today' ? replayToday() : isoDate(values.rebase, '--rebase');
      const source = replaySource({
        from: isoDate(values.from, '--from'),
        to: isoDate(values.to, '--to'),
        rebaseTo: rebase,
        agentStates: !values['no-agent-states'],
      });
      process.stderr.write(`replaying ${source.summary}\n`);
      return withCtrlC((signal) =>
        runTraffic({
          ...io,
          source,
          speed: parseSpeed(values.speed),
          catchUp: values['catch-up'],
          output: values.output,
          signal,
        }),
      );
    }
    case 'rebuild':
      return withCtrlC((signal) =>
        runRebuild({ args: rest, env: process.env, stderr: process.stderr, signal }),
      );
    case 'exports':
      return runExports({ ...io, args: rest });
    case 'topics':
      return runTopics({ ...io, args: rest });
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const usage = error instanceof UsageError || (error instanceof TypeError && 'code' in error);
  if (!usage) throw error;
  process.stderr.write(`${error.message}\n\n${USAGE}`);
  process.exitCode = 2;
}
