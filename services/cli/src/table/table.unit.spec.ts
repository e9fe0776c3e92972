import { ConfigError } from '@wfm-stream/config';
import { describe, expect, it } from 'vitest';

import { fakeIo } from '../testing/fake-io.js';
import { command, type CommandContext, type CommandTable, group } from './command.js';
import { flag, option, UsageError } from './options.js';
import { runCommandLine, withHelp } from './run.js';
import { describeOption } from './usage.js';
import { duration, oneOf, text, wholeNumber } from './values.js';

/** What the handlers of the test table were called with. */
const calls: { name: string; input: unknown; aborted: boolean }[] = [];

const copy = command({
  name: 'copy',
  summary: 'copies things',
  options: {
    count: option(wholeNumber({ min: 1 }), { help: 'how many', default: '3' }),
    wait: option(duration, { help: 'how long', defaultHelp: 'not at all' }),
    mode: option(oneOf(['fast', 'slow']), { help: 'how', required: true }),
    tag: option(text('TAG', 'a tag'), { help: 'a tag', repeatable: true }),
    dry: flag('change nothing'),
  },
  positionals: { placeholder: 'FILE', help: 'what to copy', max: 2 },
  check: (o) => (o.dry && o.tag.length > 0 ? '--dry takes no --tag' : undefined),
  stopsOnCtrlC: true,
  run(input, { signal }) {
    calls.push({ name: 'copy', input, aborted: signal.aborted });
    return Promise.resolve(0);
  },
});

const table: CommandTable = withHelp({
  program: 'tool',
  entries: [
    copy,
    group({
      name: 'jobs',
      summary: 'the jobs',
      subcommands: [
        command({
          name: 'list',
          summary: 'lists jobs',
          options: {},
          run(input) {
            calls.push({ name: 'jobs list', input, aborted: false });
            return Promise.resolve(7);
          },
        }),
        command({
          name: 'fail',
          summary: 'fails in every way',
          options: {
            how: option(oneOf(['usage', 'config', 'crash']), { help: 'how', default: 'usage' }),
          },
          run({ options }) {
            if (options.how === 'usage') throw new UsageError('that cannot be done now');
            if (options.how === 'config') throw new ConfigError(['FOO must be a number']);
            throw new Error('boom');
          },
        }),
      ],
    }),
  ],
  notes: ['Settings come from the environment.'],
});

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const fake = fakeIo();
  const code = await runCommandLine(table, argv, fake.io);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

describe('the command table', () => {
  it('runs a command with its typed values, defaults, repeats and arguments', async () => {
    calls.length = 0;
    const result = await run(
      'copy',
      '--mode',
      'slow',
      '--tag',
      'a',
      'x',
      '--tag=b',
      '--wait',
      '2m',
      '--',
      '--y',
    );
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(calls).toEqual([
      {
        name: 'copy',
        input: {
          options: { count: 3, wait: 120_000, mode: 'slow', tag: ['a', 'b'], dry: false },
          positionals: ['x', '--y'],
        },
        aborted: false,
      },
    ]);
    expect(await run('jobs', 'list')).toMatchObject({ code: 7 });
    expect(calls.at(-1)).toMatchObject({ name: 'jobs list', input: { positionals: [] } });
  });

  it('takes the last of a repeated option, and a negative value as a value', async () => {
    calls.length = 0;
    const cmd = command({
      name: 'c',
      summary: 's',
      options: { at: option(text('AT', 'a time'), { help: 'h' }) },
      run: (input) => {
        calls.push({ name: 'c', input, aborted: false });
        return Promise.resolve(0);
      },
    });
    await cmd.prepare(['--at', '1', '--at', '-24h'])(fakeIo().io as CommandContext);
    expect(calls[0]?.input).toEqual({ options: { at: '-24h' }, positionals: [] });
  });

  it.each([
    [['copy'], 'copy needs --mode fast|slow'],
    [['copy', '--mode', 'quick'], '--mode must be one of fast, slow, not "quick"'],
    [
      ['copy', '--mode', 'fast', '--count', '0'],
      '--count must be a whole number of at least 1, not "0"',
    ],
    [
      ['copy', '--mode', 'fast', '--wait', 'soon'],
      '--wait must be a duration such as 90m, 12h or 7d, not "soon"',
    ],
    [['copy', '--mode', 'fast', '--tag='], '--tag must be a tag, not ""'],
    [['copy', '--mode', 'fast', '--count'], '--count needs a value: a whole number of at least 1'],
    [['copy', '--mode', '--dry'], '--mode needs a value: one of fast, slow'],
    [['copy', '--mode', 'fast', '--dry=no'], '--dry takes no value, not "no"'],
    [
      ['copy', '--mode', 'fast', '--force'],
      'unknown option --force: copy takes --count, --wait, --mode, --tag, --dry',
    ],
    [['copy', '--mode', 'fast', '-f'], 'unknown option -f: copy takes'],
    [['copy', '--mode', 'fast', 'a', 'b', 'c'], 'copy takes at most 2 FILE, not 3'],
    [['copy', '--mode', 'fast', '--dry', '--tag', 'x'], '--dry takes no --tag'],
    [['jobs', 'list', 'extra'], 'jobs list takes no argument, not "extra"'],
    [['jobs', 'list', '--all'], 'unknown option --all: jobs list takes none'],
    [['jobs', 'fail'], 'that cannot be done now'],
  ])('refuses %j: %s, with the usage of the command (exit code 2)', async (argv, message) => {
    calls.length = 0;
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
    const path = argv[0] === 'jobs' ? `jobs ${argv[1] ?? ''}` : 'copy';
    expect(result.stderr).toContain(`\n\ntool ${path}`);
    expect(calls).toEqual([]);
  });

  it('refuses unknown commands and subcommands with the usage they belong to', async () => {
    const unknown = await run('paste');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^unknown command paste\n\ntool <command> \[options\]\n/);
    const sub = await run('jobs', 'start');
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(
      /^unknown jobs subcommand start; it has list, fail\n\ntool jobs <list\|fail>/,
    );
    const none = await run('jobs');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^jobs needs a subcommand: list, fail\n\ntool jobs/);
    const help = await run('help', 'paste');
    expect(help.code).toBe(2);
    expect(help.stderr).toMatch(/^unknown command paste\n\ntool <command>/);
  });

  it('reports a ConfigError by its message, and lets other failures through', async () => {
    const config = await run('jobs', 'fail', '--how', 'config');
    expect(config).toEqual({
      code: 2,
      stdout: '',
      stderr: 'invalid configuration:\n  - FOO must be a number\n',
    });
    await expect(run('jobs', 'fail', '--how', 'crash')).rejects.toThrow('boom');
  });

  it('prints the overview, and the same usage for help <command> and <command> --help', async () => {
    const overview = await run('help');
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/^ {2}copy \[FILE\] +copies things$/m);
    expect(overview.stdout).toMatch(/^ {2}jobs list +lists jobs$/m);
    expect(overview.stdout).toMatch(/^ {2}help \[COMMAND\] +this overview/m);
    expect(overview.stdout).toContain('Settings come from the environment.');
    expect(await run('--help')).toEqual(overview);
    expect(await run()).toEqual({ ...overview, code: 2 });

    const usage = await run('help', 'copy');
    expect(usage.code).toBe(0);
    expect(usage.stdout.split('\n')[0]).toBe('tool copy --mode fast|slow [options] [FILE]');
    for (const argv of [
      ['copy', '--help'],
      ['copy', '--mode', 'bad', '-h'],
      ['copy', '-h', '--', 'x'],
    ])
      expect(await run(...argv)).toEqual(usage);
    // after `--`, --help is an argument
    expect((await run('copy', '--mode', 'fast', '--', '--help')).code).toBe(0);
    expect((await run('jobs', 'list', '--help')).stdout).toBe(
      (await run('help', 'jobs', 'list')).stdout,
    );
    const jobs = await run('jobs', '--help');
    expect(jobs.stdout).toBe((await run('help', 'jobs')).stdout);
    expect(jobs.stdout).toContain('tool jobs list');
    expect(jobs.stdout).toContain('tool jobs fail [options]');
  });

  it('describes each kind of option', () => {
    expect(describeOption('count', copy.options.count!)).toEqual([
      '--count N',
      'how many (default 3)',
    ]);
    expect(describeOption('wait', copy.options.wait!)).toEqual([
      '--wait DURATION',
      'how long (default: not at all)',
    ]);
    expect(describeOption('mode', copy.options.mode!)).toEqual([
      '--mode fast|slow',
      'how (required)',
    ]);
    expect(describeOption('tag', copy.options.tag!)).toEqual(['--tag TAG …', 'a tag (repeatable)']);
    expect(describeOption('dry', copy.options.dry!)).toEqual(['--dry', 'change nothing']);
  });
});
