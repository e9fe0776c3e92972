import type { z } from 'zod';

/** Configuration that cannot start a service: every problem, one per line. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * The problems `run` reports as a ConfigError; none when it throws none. Any other error is
 * thrown on.
 */
export function configProblems(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Validates the environment against a service's schema. Empty strings count as unset,
 * so `FOO=` in a compose file falls back to the default instead of failing obscurely.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Environment = process.env,
): z.output<S> {
  const cleaned: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[name] = value.trim();
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.map(String).join('.');
      // zod's own message for a missing value is "Invalid input: …"; a schema's own stays
      const message =
        issue.code === 'invalid_type' &&
        issue.input === undefined &&
        issue.message.startsWith('Invalid input')
          ? 'is required'
          : issue.message;
      return name === '' ? message : `${name} ${message}`;
    }),
  );
}
