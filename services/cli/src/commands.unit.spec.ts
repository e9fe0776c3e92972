import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { COMMANDS } from './commands.js';
import { REPO_DIR } from './paths.js';
import { commandPaths } from './table/command.js';
import { runCommandLine } from './table/run.js';
import { describeOption } from './table/usage.js';
import { fakeIo } from './testing/fake-io.js';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const fake = fakeIo();
  const code = await runCommandLine(COMMANDS, argv, fake.io);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

const paths = commandPaths(COMMANDS);

describe('wfm-stream command table', () => {
  it('has every command of the CLI', () => {
    expect(paths.map((p) => p.path.join(' '))).toEqual([
      'start',
      'publish',
      'simulate',
      'replay',
      'rebuild',
      'exports parked',
      'exports redrive',
      'exports reexport',
      'topics ensure',
      'help',
    ]);
  });

  it('lists every command in the overview', async () => {
    const overview = await cli('help');
    expect(overview.code).toBe(0);
    for (const { path: words, command } of paths)
      expect(overview.stdout).toMatch(
        new RegExp(`^ {2}${words.join(' ')}\\b.* ${escape(command.summary)}$`, 'm'),
      );
  });

  it.each(paths.map((p) => [p.path.join(' '), p] as const))(
    '%s: is reachable, and its usage covers every option',
    async (_name, { path: words, command }) => {
      const usage = await cli('help', ...words);
      expect(usage.code).toBe(0);
      expect(usage.stderr).toBe('');
      expect(usage.stdout.split('\n')[0]).toMatch(new RegExp(`^wfm-stream ${words.join(' ')}\\b`));
      expect(usage.stdout).toContain(command.summary);
      // the usage is what --help after the command prints, whatever else is given
      expect(await cli(...words, '--help')).toEqual(usage);
      expect(await cli(...words, '--no-such-option', '-h')).toEqual(usage);
      for (const [name, spec] of Object.entries(command.options)) {
        const [term, description] = describeOption(name, spec);
        expect(usage.stdout).toContain(term);
        // the description may wrap: compare word by word
        expect(words1(usage.stdout)).toContain(words1(description));
        if (spec.kind === 'value' && spec.default !== undefined)
          expect(spec.type.read(spec.default), `${name}'s default`).not.toBeUndefined();
      }
      for (const line of usage.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    },
  );

  it.each(
    paths.flatMap(({ path: words, command }) =>
      Object.entries(command.options).flatMap(([name, spec]) =>
        spec.kind === 'flag' ? [] : [[`${words.join(' ')} --${name}`, words, name, spec] as const],
      ),
    ),
  )('%s refuses a value it does not take', async (_title, words, name, spec) => {
    // text options refuse only the empty value
    const bad = spec.type.read('%%') === undefined ? '%%' : '';
    const result = await cli(...words, `--${name}=${bad}`);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `--${name} must be ${spec.type.expects}, not "${bad}"`,
    );
    expect(result.stderr).toContain(`\n\nwfm-stream ${words.join(' ')}`);
  });

  it.each([
    [['publish', '--rate', 'fast'], '--rate must be a whole number of at least 1, not "fast"'],
    [['publish', 'a.ndjson', 'b.ndjson'], 'publish takes at most one FILE|-, not 2'],
    [['publish', '--check=yes'], '--check takes no value, not "yes"'],
    [
      ['start', '--partitions', '300'],
      '--partitions must be a whole number from 1 to 256, not "300"',
    ],
    [['start', '--brokers', '2'], '--brokers must be one of 1, 3, not "2"'],
    [['start', '--traffic', 'demo'], '--traffic must be one of simulate, replay, none, not "demo"'],
    [
      ['simulate', '--speed', 'warp'],
      '--speed must be realtime, max or a positive factor, not "warp"',
    ],
    [['simulate', '--start', 'yesterday'], '--start must be now, today, -<duration> (e.g. -24h)'],
    [
      ['replay', '--rebase', 'tomorrow'],
      '--rebase must be today or a date YYYY-MM-DD, not "tomorrow"',
    ],
    [['rebuild', '--instances', '65'], '--instances must be a whole number from 1 to 64, not "65"'],
    [['rebuild', '--max-lag', '-1'], '--max-lag must be a whole number, 0 or more, not "-1"'],
    [
      ['rebuild', '--from', '2026-03-29'],
      '--from must be a date-time with offset, e.g. 2026-03-29T00:00:00Z',
    ],
    [['rebuild', 'now'], 'rebuild takes no argument, not "now"'],
    [['exports', 'redrive'], 'exports redrive needs exactly one of --all and --job ID'],
    [
      ['exports', 'redrive', '--all', '--job', 'j1'],
      'exports redrive needs exactly one of --all and --job ID',
    ],
    [
      ['exports', 'reexport', '--to', '2024-06-02T00:00:00Z'],
      'exports reexport needs --from DATE-TIME',
    ],
    [['exports', 'reexport'], 'exports reexport needs --from DATE-TIME and --to DATE-TIME'],
    [
      ['exports', 'reexport', '--from', '2024-06-02T00:00:00Z', '--to', '2024-06-01T00:00:00Z'],
      '--to must be after --from',
    ],
    [
      ['topics', 'ensure', '--force'],
      'unknown option --force: topics ensure takes --dry-run, --allow-partition-increase',
    ],
    [['topics'], 'topics needs a subcommand: ensure'],
    [['topics', 'create'], 'unknown topics subcommand create; it has ensure'],
    [['deploy'], 'unknown command deploy'],
  ])('refuses %j before it connects anywhere', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message), result.stderr).toBe(true);
  });
});

/** The text's words, spaced by one blank: to find a description however it wrapped. */
function words1(text: string): string {
  return text
    .split(/\s+/)
    .filter((w) => w !== '')
    .join(' ');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The modules a module loads when it is imported: its static imports, transitively,
 * through the workspace's packages (their sources), not `import()` and not `import type`.
 */
function staticImports(entry: string): Set<string> {
  const packages = new Map<string, string>();
  for (const dir of ['libs', 'services'])
    for (const name of fs.readdirSync(path.join(REPO_DIR, dir))) {
      const manifest = path.join(REPO_DIR, dir, name, 'package.json');
      if (fs.existsSync(manifest)) {
        const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name: string };
        packages.set(pkg.name, path.join(REPO_DIR, dir, name, 'src', 'index.ts'));
      }
    }
  packages.set('@wfm-stream/schemas', path.join(REPO_DIR, 'schemas', 'src', 'index.ts'));
  const seen = new Set<string>();
  const loaded = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    const statements = source.matchAll(
      /^(?:import|export)\s+(?!type\s)(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
    );
    for (const [, specifier = ''] of statements) {
      if (specifier.startsWith('.')) {
        visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      } else {
        loaded.add(specifier);
        const pkg = packages.get(specifier);
        if (pkg !== undefined) visit(pkg);
      }
    }
  };
  visit(entry);
  return loaded;
}

describe('what a command loads', () => {
  const cliSrc = path.join(REPO_DIR, 'services', 'cli', 'src');

  it('rebuild, a production command, never loads the local stack', () => {
    // main.ts loads the table; the table loads a command's implementation when it runs
    expect(staticImports(path.join(cliSrc, 'main.ts'))).not.toContain('@wfm-stream/local-stack');
    const rebuild = staticImports(path.join(cliSrc, 'commands/rebuild/run.ts'));
    expect(rebuild).toContain('@wfm-stream/process');
    expect(rebuild).not.toContain('@wfm-stream/local-stack');
  });

  it('start does (so the check above can fail)', () => {
    expect(staticImports(path.join(cliSrc, 'commands/start/run.ts'))).toContain(
      '@wfm-stream/local-stack',
    );
  });
});
