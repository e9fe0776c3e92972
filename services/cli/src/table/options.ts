import { parseArgs } from 'node:util';

import type { ValueType } from './values.js';

/** A command-line argument that is not what it should be; the message says what would be. */
export class UsageError extends Error {}

/** `--name`, on or off. */
export interface FlagOption {
  readonly kind: 'flag';
  readonly help: string;
}

/**
 * How often a valued option appears: at most once (`optional`: undefined when absent),
 * once with a default, exactly once (`required`), or any number of times (`repeatable`).
 */
export type Presence = 'optional' | 'defaulted' | 'required' | 'repeatable';

/** `--name VALUE`. */
export interface ValueOption<T, P extends Presence> {
  readonly kind: 'value';
  readonly type: ValueType<T>;
  readonly help: string;
  readonly presence: P;
  /** The default as it would be written, read like any value (so it is valid, and shown as is). */
  readonly default?: string;
  /** What the usage says of the default: for the absent value of an optional, or to explain a default. */
  readonly defaultHelp?: string;
}

export type OptionSpec = FlagOption | ValueOption<unknown, Presence>;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The value a command gets for an option. */
export type OptionValue<O> = O extends FlagOption
  ? boolean
  : O extends ValueOption<infer T, infer P>
    ? P extends 'optional'
      ? T | undefined
      : P extends 'repeatable'
        ? readonly T[]
        : T
    : never;

export type OptionValues<S extends OptionSpecs> = { readonly [K in keyof S]: OptionValue<S[K]> };

export function flag(help: string): FlagOption {
  return { kind: 'flag', help };
}

interface Described {
  readonly help: string;
}

export function option<T>(
  type: ValueType<T>,
  spec: Described & { readonly default: string; readonly defaultHelp?: string },
): ValueOption<T, 'defaulted'>;
export function option<T>(
  type: ValueType<T>,
  spec: Described & { readonly required: true },
): ValueOption<T, 'required'>;
export function option<T>(
  type: ValueType<T>,
  spec: Described & { readonly repeatable: true; readonly defaultHelp?: string },
): ValueOption<T, 'repeatable'>;
export function option<T>(
  type: ValueType<T>,
  spec: Described & { readonly defaultHelp?: string },
): ValueOption<T, 'optional'>;
export function option<T>(
  type: ValueType<T>,
  spec: Described & {
    readonly default?: string;
    readonly defaultHelp?: string;
    readonly required?: true;
    readonly repeatable?: true;
  },
): ValueOption<T, Presence> {
  const presence: Presence =
    spec.default !== undefined
      ? 'defaulted'
      : spec.required === true
        ? 'required'
        : spec.repeatable === true
          ? 'repeatable'
          : 'optional';
  return {
    kind: 'value',
    type,
    help: spec.help,
    presence,
    ...(spec.default === undefined ? {} : { default: spec.default }),
    ...(spec.defaultHelp === undefined ? {} : { defaultHelp: spec.defaultHelp }),
  };
}

/** The arguments after the options: how many, and how the usage shows them. */
export interface PositionalSpec {
  /** As the usage shows it, e.g. `FILE|-`. */
  readonly placeholder: string;
  readonly help: string;
  readonly max: number;
}

export interface ParsedArguments<S extends OptionSpecs> {
  readonly options: OptionValues<S>;
  readonly positionals: readonly string[];
}

/** The words that ask for the usage instead of running the command. */
export const HELP_FLAGS: readonly string[] = ['--help', '-h'];

/** True when the arguments ask for help (`--help` or `-h` before any `--`). */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => HELP_FLAGS.includes(arg));
}

function refuse(name: string, type: ValueType<unknown>, value: string): never {
  throw new UsageError(`--${name} must be ${type.expects}, not "${value}"`);
}

function read(name: string, spec: ValueOption<unknown, Presence>, value: string): unknown {
  const parsed = spec.type.read(value);
  if (parsed === undefined) refuse(name, spec.type, value);
  return parsed;
}

/**
 * Reads a command's arguments against its declared options: every unknown option, missing
 * or surplus value, and value that is not what the option takes is a UsageError naming the
 * option and what it expects. `command` names the command in those messages.
 */
export function parseArguments<S extends OptionSpecs>(
  command: string,
  specs: S,
  positionalSpec: PositionalSpec | undefined,
  args: readonly string[],
): ParsedArguments<S> {
  const { tokens } = parseArgs({
    args: [...args],
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: Object.fromEntries(
      Object.entries(specs).map(([name, spec]) => [
        name,
        { type: spec.kind === 'flag' ? ('boolean' as const) : ('string' as const) },
      ]),
    ),
  });
  const given = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) {
      const known = Object.keys(specs).map((name) => `--${name}`);
      throw new UsageError(
        `unknown option ${token.rawName}: ${command} takes ${known.length === 0 ? 'none' : known.join(', ')}`,
      );
    }
    if (spec.kind === 'flag') {
      if (token.value !== undefined)
        throw new UsageError(`--${token.name} takes no value, not "${token.value}"`);
      flags.add(token.name);
      continue;
    }
    // `--rate --check`: the next word is an option, not the missing value
    const value =
      token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))
        ? undefined
        : token.value;
    if (value === undefined)
      throw new UsageError(`--${token.name} needs a value: ${spec.type.expects}`);
    given.set(token.name, [...(given.get(token.name) ?? []), value]);
  }

  if (positionalSpec === undefined && positionals.length > 0)
    throw new UsageError(`${command} takes no argument, not "${positionals[0] ?? ''}"`);
  if (positionalSpec !== undefined && positionals.length > positionalSpec.max)
    throw new UsageError(
      `${command} takes at most ${positionalSpec.max === 1 ? 'one' : positionalSpec.max} ${positionalSpec.placeholder}, not ${positionals.length}`,
    );

  const values: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.kind === 'flag') {
      values[name] = flags.has(name);
      continue;
    }
    const texts = given.get(name) ?? [];
    switch (spec.presence) {
      case 'repeatable':
        values[name] = texts.map((t) => read(name, spec, t));
        break;
      case 'required': {
        const last = texts.at(-1);
        if (last === undefined) missing.push(`--${name} ${spec.type.placeholder}`);
        else values[name] = read(name, spec, last);
        break;
      }
      case 'defaulted':
        values[name] = read(name, spec, texts.at(-1) ?? spec.default ?? '');
        break;
      case 'optional': {
        const last = texts.at(-1);
        values[name] = last === undefined ? undefined : read(name, spec, last);
        break;
      }
    }
  }
  // a wrong value is reported before a missing one
  if (missing.length > 0) throw new UsageError(`${command} needs ${missing.join(' and ')}`);
  return { options: values as OptionValues<S>, positionals };
}
