import type { Command, CommandGroup, CommandTable } from './command.js';
import type { OptionSpec } from './options.js';

/** The width usage text is wrapped to. */
const WIDTH = 100;
/** A left column wider than this puts its description on the next line. */
const MAX_LEFT = 28;
const INDENT = '  ';

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Two columns: a term and its description, wrapped beside it (or below a long term). */
function columns(rows: readonly (readonly [string, string])[]): string[] {
  const left = Math.min(MAX_LEFT, Math.max(0, ...rows.map(([term]) => term.length)));
  const pad = ' '.repeat(INDENT.length + left + 2);
  const width = WIDTH - pad.length;
  return rows.flatMap(([term, description]) => {
    const text = wrap(description, width);
    if (term.length > left) return [`${INDENT}${term}`, ...text.map((line) => `${pad}${line}`)];
    const [first = '', ...rest] = text;
    return [`${INDENT}${term.padEnd(left)}  ${first}`.trimEnd(), ...rest.map((l) => `${pad}${l}`)];
  });
}

function paragraphs(notes: readonly string[]): string[] {
  return notes.flatMap((note) => ['', ...wrap(note, WIDTH)]);
}

/** How the usage describes one option: its term (`--batch N`) and what it does. */
export function describeOption(name: string, spec: OptionSpec): [string, string] {
  if (spec.kind === 'flag') return [`--${name}`, spec.help];
  const term = `--${name} ${spec.type.placeholder}${spec.presence === 'repeatable' ? ' …' : ''}`;
  const extra =
    spec.presence === 'defaulted'
      ? ` (default ${spec.defaultHelp ?? spec.default ?? ''})`
      : spec.presence === 'required'
        ? ' (required)'
        : spec.presence === 'repeatable'
          ? ` (repeatable${spec.defaultHelp === undefined ? '' : `; default: ${spec.defaultHelp}`})`
          : spec.defaultHelp === undefined
            ? ''
            : ` (default: ${spec.defaultHelp})`;
  return [term, `${spec.help}${extra}`];
}

function synopsis(table: CommandTable, path: readonly string[], command: Command): string {
  const required = Object.entries(command.options)
    .filter(([, spec]) => spec.kind === 'value' && spec.presence === 'required')
    .map(([name, spec]) => describeOption(name, spec)[0]);
  const others = Object.values(command.options).some(
    (spec) => spec.kind === 'flag' || spec.presence !== 'required',
  );
  return [
    table.program,
    ...path,
    ...required,
    ...(others ? ['[options]'] : []),
    ...(command.positionals === undefined ? [] : [`[${command.positionals.placeholder}]`]),
  ].join(' ');
}

/** The usage of one command: synopsis, summary, options, arguments, notes. */
export function commandUsage(
  table: CommandTable,
  path: readonly string[],
  command: Command,
): string {
  const options = Object.entries(command.options).map(([name, spec]) => describeOption(name, spec));
  const lines = [
    synopsis(table, path, command),
    '',
    ...wrap(command.summary, WIDTH - INDENT.length).map((line) => `${INDENT}${line}`),
  ];
  if (command.positionals !== undefined)
    lines.push(
      '',
      'Arguments:',
      ...columns([[command.positionals.placeholder, command.positionals.help]]),
    );
  lines.push('', 'Options:', ...columns([...options, ['-h, --help', 'print this usage']]));
  lines.push(...paragraphs(command.notes));
  return `${lines.join('\n')}\n`;
}

/** The usage of a command group: its summary and notes, then each subcommand's usage. */
export function groupUsage(table: CommandTable, entry: CommandGroup): string {
  const head = [
    `${table.program} ${entry.name} <${entry.subcommands.map((s) => s.name).join('|')}> [options]`,
    '',
    ...wrap(entry.summary, WIDTH - INDENT.length).map((line) => `${INDENT}${line}`),
    ...paragraphs(entry.notes),
  ];
  const subs = entry.subcommands.map((sub) => commandUsage(table, [entry.name, sub.name], sub));
  return [`${head.join('\n')}\n`, ...subs].join('\n');
}

/** The overview: every command and subcommand with its summary, then the table's notes. */
export function overview(table: CommandTable): string {
  const rows = table.entries.flatMap((entry): [string, string][] =>
    entry.kind === 'command'
      ? [
          [
            entry.positionals === undefined
              ? entry.name
              : `${entry.name} [${entry.positionals.placeholder}]`,
            entry.summary,
          ],
        ]
      : entry.subcommands.map((sub) => [`${entry.name} ${sub.name}`, sub.summary]),
  );
  const lines = [
    `${table.program} <command> [options]`,
    '',
    'Commands:',
    ...columns(rows),
    '',
    ...wrap(
      `\`${table.program} help <command>\` or \`${table.program} <command> --help\` prints the options of a command.`,
      WIDTH,
    ),
    ...paragraphs(table.notes),
  ];
  return `${lines.join('\n')}\n`;
}
