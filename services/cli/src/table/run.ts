import { ConfigError } from '@wfm-stream/config';

import {
  type Command,
  command,
  type CommandContext,
  type CommandGroup,
  type CommandTable,
} from './command.js';
import { asksForHelp, UsageError } from './options.js';
import { commandUsage, groupUsage, overview } from './usage.js';

/** The process's side of a run: what every command gets but Ctrl-C. */
export type CliIo = Omit<CommandContext, 'signal'>;

/** A UsageError of a group's subcommand word: reported with the group's usage. */
class UnknownSubcommand extends UsageError {
  constructor(
    message: string,
    readonly group: string,
  ) {
    super(message);
  }
}

type Found =
  | { readonly kind: 'command'; readonly path: string[]; readonly command: Command }
  | {
      readonly kind: 'group';
      readonly path: string[];
      readonly entry: CommandGroup;
    };

/** The words `words` name in the table, or a UsageError saying which word is unknown. */
function find(table: CommandTable, words: readonly string[]): Found {
  const [name, sub] = words;
  const entry = table.entries.find((e) => e.name === name);
  if (entry === undefined)
    throw new UsageError(name === undefined ? 'no command given' : `unknown command ${name}`);
  if (entry.kind === 'command') return { kind: 'command', path: [entry.name], command: entry };
  if (sub === undefined || sub.startsWith('-')) return { kind: 'group', path: [entry.name], entry };
  const found = entry.subcommands.find((s) => s.name === sub);
  if (found === undefined)
    throw new UnknownSubcommand(
      `unknown ${entry.name} subcommand ${sub}; it has ${entry.subcommands.map((s) => s.name).join(', ')}`,
      entry.name,
    );
  return { kind: 'command', path: [entry.name, found.name], command: found };
}

function usageOf(table: CommandTable, found: Found): string {
  return found.kind === 'command'
    ? commandUsage(table, found.path, found.command)
    : groupUsage(table, found.entry);
}

/** The table with `help [COMMAND [SUBCOMMAND]]` at its end. */
export function withHelp(table: CommandTable): CommandTable {
  const help = command({
    name: 'help',
    summary: 'this overview, or the usage of a command',
    options: {},
    positionals: {
      placeholder: 'COMMAND',
      help: 'the command, and maybe its subcommand, to describe',
      max: 2,
    },
    run({ positionals }, { stdout, stderr }) {
      if (positionals.length === 0) {
        stdout.write(overview(complete));
        return Promise.resolve(0);
      }
      try {
        stdout.write(usageOf(complete, find(complete, positionals)));
        return Promise.resolve(0);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        stderr.write(`${error.message}\n\n${overview(complete)}`);
        return Promise.resolve(2);
      }
    },
  });
  const complete: CommandTable = { ...table, entries: [...table.entries, help] };
  return complete;
}

/** Runs `run`, with Ctrl-C and SIGTERM aborting its signal while it runs. */
async function withCtrlC(run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/**
 * Runs a command line against the table and returns the exit code. `help`, `help <command>`
 * and `<command> --help` print usage (0). No command prints the overview (2). An unknown
 * command, subcommand or option, a value an option does not take, or a UsageError of the
 * command itself prints the message and the usage of that command to stderr (2); a
 * ConfigError prints its message (2).
 */
export async function runCommandLine(
  table: CommandTable,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    io.stdout.write(overview(table));
    return 2;
  }
  const words = first === '--help' || first === '-h' ? ['help', ...argv.slice(1)] : argv;
  let found: Found | undefined;
  try {
    found = find(table, words);
    const rest = words.slice(found.path.length);
    if (found.kind === 'group') {
      if (asksForHelp(rest)) {
        io.stdout.write(groupUsage(table, found.entry));
        return 0;
      }
      throw new UsageError(
        `${found.entry.name} needs a subcommand: ${found.entry.subcommands.map((s) => s.name).join(', ')}`,
      );
    }
    if (asksForHelp(rest)) {
      io.stdout.write(commandUsage(table, found.path, found.command));
      return 0;
    }
    const run = found.command.prepare(rest, found.path.join(' '));
    const never = new AbortController().signal;
    return await (found.command.stopsOnCtrlC
      ? withCtrlC((signal) => run({ ...io, signal }))
      : run({ ...io, signal: never }));
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (!(error instanceof UsageError)) throw error;
    const usage =
      error instanceof UnknownSubcommand
        ? usageOf(table, find(table, [error.group]))
        : found === undefined
          ? overview(table)
          : usageOf(table, found);
    io.stderr.write(`${error.message}\n\n${usage}`);
    return 2;
  }
}
