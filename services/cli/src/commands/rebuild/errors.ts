/** A rebuild aggregator died: the rebuild cannot finish (exit code 1). */
export class RebuildFailed extends Error {}

/** Ctrl-C or SIGTERM before the switch (exit code 130). */
export class Stopped extends Error {}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
