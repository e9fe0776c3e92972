import {
  type OptionSpecs,
  type OptionValues,
  parseArguments,
  type ParsedArguments,
  type PositionalSpec,
  UsageError,
} from './options.js';

/** What a command runs with: the process's environment and streams, and Ctrl-C. */
export interface CommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /**
   * Aborted by Ctrl-C (SIGINT) or SIGTERM, for a command that declares `stopsOnCtrlC`;
   * for the others those signals end the process as usual, and this is never aborted.
   */
  readonly signal: AbortSignal;
}

/** A command as it is declared: everything its usage, validation and run need. */
export interface CommandSpec<S extends OptionSpecs> {
  readonly name: string;
  /** One line: what it does. */
  readonly summary: string;
  readonly options: S;
  /** The arguments after the options; without this the command takes none. */
  readonly positionals?: PositionalSpec;
  /** Paragraphs after the options: exit codes, the settings it reads. */
  readonly notes?: readonly string[];
  /** Rules between options ("exactly one of …"): a message when they are broken. */
  check?(options: OptionValues<S>): string | undefined;
  /** Ctrl-C aborts `context.signal` instead of ending the process: the command stops itself. */
  readonly stopsOnCtrlC?: boolean;
  /** Runs it; the exit code. A UsageError it throws is reported with the usage (exit code 2). */
  run(input: ParsedArguments<S>, context: CommandContext): Promise<number>;
}

/** A command of the table, its option types erased. */
export interface Command {
  readonly kind: 'command';
  readonly name: string;
  readonly summary: string;
  readonly options: OptionSpecs;
  readonly positionals?: PositionalSpec | undefined;
  readonly notes: readonly string[];
  readonly stopsOnCtrlC: boolean;
  /**
   * Reads the arguments (a UsageError when they are wrong) and returns the run, not yet
   * started: validation happens before anything connects anywhere. `title` names the
   * command in messages (`exports redrive`); its name by default.
   */
  prepare(args: readonly string[], title?: string): (context: CommandContext) => Promise<number>;
}

/** A command with subcommands (`exports parked`, `exports redrive`, …). */
export interface CommandGroup {
  readonly kind: 'group';
  readonly name: string;
  readonly summary: string;
  readonly notes: readonly string[];
  readonly subcommands: readonly Command[];
}

export type TableEntry = Command | CommandGroup;

export function command<S extends OptionSpecs>(spec: CommandSpec<S>): Command {
  return {
    kind: 'command',
    name: spec.name,
    summary: spec.summary,
    options: spec.options,
    positionals: spec.positionals,
    notes: spec.notes ?? [],
    stopsOnCtrlC: spec.stopsOnCtrlC ?? false,
    prepare(args, title = spec.name) {
      const input = parseArguments(title, spec.options, spec.positionals, args);
      const problem = spec.check?.(input.options);
      if (problem !== undefined) throw new UsageError(problem);
      return (context) => spec.run(input, context);
    },
  };
}

export function group(spec: {
  readonly name: string;
  readonly summary: string;
  readonly notes?: readonly string[];
  readonly subcommands: readonly Command[];
}): CommandGroup {
  return { kind: 'group', notes: [], ...spec };
}

/** The whole table: the program's name, its commands, and what its overview ends with. */
export interface CommandTable {
  readonly program: string;
  readonly entries: readonly TableEntry[];
  /** Paragraphs at the end of the overview: the settings every command shares. */
  readonly notes: readonly string[];
}

/** Every runnable command with its words: `['publish']`, `['exports', 'parked']`, …. */
export function commandPaths(table: CommandTable): { path: string[]; command: Command }[] {
  return table.entries.flatMap((entry) =>
    entry.kind === 'command'
      ? [{ path: [entry.name], command: entry }]
      : entry.subcommands.map((sub) => ({ path: [entry.name, sub.name], command: sub })),
  );
}
