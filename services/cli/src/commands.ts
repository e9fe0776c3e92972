import { loadConfig, setting } from '@wfm-stream/config';
import { DEFAULT_SIMULATOR_OPTIONS } from '@wfm-stream/simulator';
import { z } from 'zod';

import { command, type CommandTable, group } from './table/command.js';
import { flag, option } from './table/options.js';
import { withHelp } from './table/run.js';
import {
  date,
  duration,
  instant,
  oneOf,
  port,
  resolveStart,
  simulationStart,
  speed,
  text,
  todayOrDate,
  wholeNumber,
} from './table/values.js';

/*
 * The command table of `wfm-stream`: every command and subcommand with its summary, its
 * options (from which the usage and the validation are generated: src/table/) and its
 * handler. A handler loads its implementation when it runs, so a command loads only what
 * it uses: `rebuild`, a production command, never loads the local stack that `start` runs.
 */

const output = option(text('FILE|-', 'a file, or - for standard output'), {
  help: 'write NDJSON for `publish` to FILE (- for standard output) instead of publishing to Kafka',
});
const catchUp = flag(
  'when the start is in the past, publish everything up to now at once, then pace',
);

const start = command({
  name: 'start',
  summary: 'run the whole pipeline locally: Redis, Kafka, every service, traffic',
  options: {
    traffic: option(oneOf(['simulate', 'replay', 'none']), {
      help:
        'the traffic: simulate, a simulated contact center, its last 24 h at once and then live; ' +
        "replay, the bank's call log, its first day moved to today, live; or none",
      default: 'simulate',
    }),
    partitions: option(wholeNumber({ min: 1, max: 256 }), {
      help: 'partitions per event topic',
      default: '6',
    }),
    brokers: option(oneOf(['1', '3']), {
      help: 'Kafka nodes; 3 form a three-voter quorum, with replication factor 3 and min.insync.replicas 2',
      default: '1',
    }),
    'schema-registry': flag(
      'run Apicurio Registry too; the services take Avro, and the traffic is Avro',
    ),
    'redis-cluster': flag(
      'run Redis as a cluster: three masters and three replicas (redis-server --cluster-enabled yes); the services get REDIS_CLUSTER_NODES',
    ),
    'state-dir': option(text('DIR', 'a directory'), {
      help: 'where the logs and endpoints.json go',
      default: '.wfm-stream',
    }),
    'reader-port': option(port, { help: 'the port of the reader', defaultHelp: 'a free one' }),
  },
  notes: [
    'Ctrl-C stops everything it started. It passes its environment on to every service (TIMEZONE, READER_*, …); see docs/configuration.md.',
  ],
  async run({ options }, { env, stdout }) {
    const { runStart } = await import('./commands/start/run.js');
    return runStart({
      traffic: options.traffic,
      partitions: options.partitions,
      brokers: options.brokers === '3' ? 3 : 1,
      schemaRegistry: options['schema-registry'],
      redisCluster: options['redis-cluster'],
      stateDir: options['state-dir'],
      readerPort: options['reader-port'],
      env,
      print: (line) => stdout.write(`${line}\n`),
    });
  },
});

const publish = command({
  name: 'publish',
  summary: 'publish NDJSON events, one per line, from a file or standard input',
  options: {
    rate: option(wholeNumber({ min: 1 }), {
      help: 'at most N events per second',
      defaultHelp: 'as fast as the broker takes them',
    }),
    batch: option(wholeNumber({ min: 1 }), { help: 'events per produce request', default: '500' }),
    check: flag('validate only, publish nothing'),
  },
  positionals: {
    placeholder: 'FILE|-',
    help: 'the NDJSON file, or - for standard input (the default)',
    max: 1,
  },
  notes: [
    'An invalid line is reported on stderr by its number and reason (the first 50), and the other lines are published anyway.',
    'Exit code 0 when every line was valid, 1 when some were not, 2 for a usage or configuration error or an unreadable file, 3 when Kafka refused or was unreachable.',
  ],
  async run({ options, positionals }, { env, stdin, stdout, stderr }) {
    const { runPublish } = await import('./commands/publish.js');
    return runPublish({
      input: positionals[0] ?? '-',
      rate: options.rate,
      batchSize: options.batch,
      check: options.check,
      env,
      stdin,
      stdout,
      stderr,
    });
  },
});

const simulate = command({
  name: 'simulate',
  summary: 'a simulated contact center, deterministic from its seed',
  options: {
    seed: option(wholeNumber(), {
      help: 'the seed',
      default: String(DEFAULT_SIMULATOR_OPTIONS.seed),
    }),
    groups: option(wholeNumber({ min: 1 }), {
      help: 'groups',
      default: String(DEFAULT_SIMULATOR_OPTIONS.groups),
    }),
    agents: option(wholeNumber({ min: 1 }), {
      help: 'agents',
      default: String(DEFAULT_SIMULATOR_OPTIONS.agents),
    }),
    'contacts-per-hour': option(wholeNumber({ min: 1 }), {
      help: 'contacts offered per hour, on average over the opening hours, all groups together',
      default: String(DEFAULT_SIMULATOR_OPTIONS.contactsPerHour),
    }),
    'chat-concurrency': option(wholeNumber({ min: 1 }), {
      help: 'chats an agent takes at once',
      default: String(DEFAULT_SIMULATOR_OPTIONS.chatConcurrency),
    }),
    'id-prefix': option(text('P', 'a prefix'), {
      help: 'the prefix of every id',
      defaultHelp: 'sim<seed>',
    }),
    start: option(simulationStart, {
      help: 'where the simulation starts, in TIMEZONE: today and a date at 00:00 local',
      default: 'now',
    }),
    duration: option(duration, {
      help: 'stop after this much simulated time',
      defaultHelp: 'run until Ctrl-C',
    }),
    speed: option(speed, {
      help: 'the pace: N plays N times as fast as real time',
      default: 'realtime',
    }),
    'catch-up': catchUp,
    output,
  },
  notes: [
    'Its local time is TIMEZONE. Progress goes to stderr; Ctrl-C stops it. Exit code 0 when done, 2 for a usage or configuration error, 3 when Kafka fails.',
  ],
  stopsOnCtrlC: true,
  async run({ options }, { env, stdout, stderr, signal }) {
    const { TIMEZONE: zone } = loadConfig(z.object({ TIMEZONE: setting.timeZone('UTC') }), env);
    const [{ runTraffic }, { simulationSource }] = await Promise.all([
      import('./commands/traffic.js'),
      import('./traffic/sources.js'),
    ]);
    const startMs = resolveStart(options.start, zone, Date.now());
    return runTraffic({
      source: simulationSource({
        startMs,
        zone,
        seed: options.seed,
        groups: options.groups,
        agents: options.agents,
        contactsPerHour: options['contacts-per-hour'],
        chatConcurrency: options['chat-concurrency'],
        idPrefix: options['id-prefix'] ?? `sim${options.seed}`,
      }),
      speed: options.speed,
      catchUp: options['catch-up'],
      untilMs: options.duration === undefined ? undefined : startMs + options.duration,
      output: options.output,
      env,
      stdout,
      stderr,
      signal,
    });
  },
});

const replay = command({
  name: 'replay',
  summary: 'the real call log of February 1999 (Anonymous Bank) as events',
  options: {
    from: option(date, { help: 'the first day of the log, in 1999-02', defaultHelp: 'its first' }),
    to: option(date, { help: 'the last day of the log, in 1999-02', defaultHelp: 'its last' }),
    rebase: option(todayOrDate, {
      help: 'move the first day to this date, keeping wall-clock times',
      defaultHelp: "the log's own dates",
    }),
    speed: option(speed, {
      help: 'the pace',
      default: '60',
      defaultHelp: '60, an hour per minute',
    }),
    'catch-up': catchUp,
    'no-agent-states': flag('leave out the agent states that are synthesised from the calls'),
    output,
  },
  notes: ['Progress goes to stderr; Ctrl-C stops it. Exit codes as for simulate.'],
  stopsOnCtrlC: true,
  async run({ options }, { env, stdout, stderr, signal }) {
    const [{ runTraffic }, { replaySource, replayToday }] = await Promise.all([
      import('./commands/traffic.js'),
      import('./traffic/sources.js'),
    ]);
    const source = replaySource({
      from: options.from,
      to: options.to,
      rebaseTo: options.rebase === 'today' ? replayToday() : options.rebase,
      agentStates: !options['no-agent-states'],
    });
    stderr.write(`replaying ${source.summary}\n`);
    return runTraffic({
      source,
      speed: options.speed,
      catchUp: options['catch-up'],
      output: options.output,
      env,
      stdout,
      stderr,
      signal,
    });
  },
});

const rebuild = command({
  name: 'rebuild',
  summary: 'recompute the Redis state from the topics, then switch readers over to it',
  options: {
    from: option(instant, {
      help: 'contact and agent events from this time on; the directory is always read whole',
      defaultHelp: 'the beginning of the topics',
    }),
    'keep-old': flag("keep the previous generation's keys (by default they are deleted)"),
    instances: option(wholeNumber({ min: 1, max: 64 }), {
      help: 'aggregator processes that rebuild, at most the partitions of the event topics',
      default: '1',
    }),
    'max-lag': option(wholeNumber({ min: 0 }), {
      help: 'switch once the rebuild is this few events behind',
      default: '1000',
    }),
    'switch-timeout': option(duration, {
      help: 'how long the live aggregators get to follow the switch',
      default: '60s',
    }),
  },
  notes: [
    'It fills a new state generation with aggregators of its own while the live pipeline keeps running, moves the readers, the exporter and the live aggregators over with one SET once it is close to the live end, and deletes the old generation (docs/architecture.md#rebuilding-the-state). Stopped before the switch (Ctrl-C, SIGTERM), it deletes what it built.',
    "Run it with the aggregators' settings (TIMEZONE, SERVICE_LEVEL_*, DEDUPE_WINDOW, RETENTION_DAYS, REDIS_*, KAFKA_*, TOPIC_*): it runs the aggregator with them.",
    'Exit code 0 when switched, 1 when the rebuild failed or another one runs, 2 for a usage or configuration error, 3 when Kafka or Redis fails, 130 when stopped before the switch.',
  ],
  stopsOnCtrlC: true,
  async run({ options }, { env, stderr, signal }) {
    const { runRebuild } = await import('./commands/rebuild/run.js');
    return runRebuild({
      fromMs: options.from,
      keepOld: options['keep-old'],
      instances: options.instances,
      maxLag: options['max-lag'],
      switchTimeoutMs: options['switch-timeout'],
      env,
      stderr,
      signal,
    });
  },
});

const exportsGroup = group({
  name: 'exports',
  summary: "the operator's side of the export queue",
  notes: [
    "They read the exporter's KAFKA_*, TOPIC_EXPORT_*, EXPORT_STEP, TIMEZONE and EXPORT_TARGETS (target names only). Exit code 2 for a usage or configuration error, 3 when Kafka fails.",
  ],
  subcommands: [
    command({
      name: 'parked',
      summary: 'list the jobs parked on the export dead-letter topic',
      options: {},
      async run(_input, context) {
        const { runExports } = await import('./commands/exports.js');
        return runExports({ kind: 'parked' }, context);
      },
    }),
    command({
      name: 'redrive',
      summary: 're-enqueue parked jobs, each at most once',
      options: {
        all: flag('every parked job'),
        job: option(text('ID', 'a job id'), { help: 'the parked job with this id' }),
      },
      notes: ['Exit code 1 when --job names no parked job.'],
      check: (o) =>
        o.all === (o.job !== undefined)
          ? 'exports redrive needs exactly one of --all and --job ID'
          : undefined,
      async run({ options }, context) {
        const { runExports } = await import('./commands/exports.js');
        return runExports(
          {
            kind: 'redrive',
            selection: options.job === undefined ? { all: true } : { jobId: options.job },
          },
          context,
        );
      },
    }),
    command({
      name: 'reexport',
      summary: 'enqueue export jobs for the closed intervals of a time range',
      options: {
        from: option(instant, { help: 'the start of the range', required: true }),
        to: option(instant, { help: 'the end of the range, exclusive', required: true }),
        target: option(text('NAME', 'a target name'), {
          help: 'a target to re-export to; a comma-separated list is read too',
          repeatable: true,
          defaultHelp: 'every target of EXPORT_TARGETS',
        }),
      },
      notes: [
        'Intervals still open are left to the scheduler. An interval whose content a target already has is not delivered again.',
      ],
      check: (o) => (o.to <= o.from ? '--to must be after --from' : undefined),
      async run({ options }, context) {
        const { runExports } = await import('./commands/exports.js');
        return runExports(
          { kind: 'reexport', fromMs: options.from, toMs: options.to, targets: options.target },
          context,
        );
      },
    }),
  ],
});

const topicsGroup = group({
  name: 'topics',
  summary: "the pipeline's topics",
  subcommands: [
    command({
      name: 'ensure',
      summary: "create the pipeline's topics, or bring their configs in line",
      options: {
        'dry-run': flag('print the plan, change nothing'),
        'allow-partition-increase': flag(
          'add partitions to topics that have fewer than the settings say (otherwise reported, exit code 1)',
        ),
      },
      notes: [
        'Exit code 0 when every topic is as configured, 1 when a difference needs an operator (it is printed, nothing is changed), 2 for a usage or configuration error, 3 when Kafka fails.',
      ],
      async run({ options }, { env, stdout, stderr }) {
        const { runTopics } = await import('./commands/topics.js');
        return runTopics({
          dryRun: options['dry-run'],
          allowPartitionIncrease: options['allow-partition-increase'],
          env,
          stdout,
          stderr,
        });
      },
    }),
  ],
});

/** Every command of `wfm-stream`, and `help`. */
export const COMMANDS: CommandTable = withHelp({
  program: 'wfm-stream',
  entries: [start, publish, simulate, replay, rebuild, exportsGroup, topicsGroup],
  notes: [
    "Kafka, the topics and the Schema Registry come from the environment (KAFKA_BROKERS, TOPIC_*, SCHEMA_REGISTRY_URL; docs/configuration.md). Without KAFKA_BROKERS, the commands use the broker of a running `npm start` (.wfm-stream/endpoints.json in the current directory). With SCHEMA_REGISTRY_URL they publish Avro, otherwise JSON. TIMEZONE is the simulated contact center's local time.",
  ],
});
