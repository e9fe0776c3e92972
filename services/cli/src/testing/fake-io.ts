import type { CommandContext } from '../table/command.js';

/**
 * Standard streams for running a command line in a test: no environment (no
 * KAFKA_BROKERS, no endpoints file), not a terminal, and what was written to
 * stdout and stderr so far.
 */
export function fakeIo(): {
  io: Omit<CommandContext, 'signal'>;
  stdout: () => string;
  stderr: () => string;
} {
  let out = '';
  let err = '';
  const stream = (append: (chunk: string) => void): NodeJS.WriteStream =>
    ({
      write: (chunk: string) => {
        append(chunk);
        return true;
      },
      isTTY: false,
    }) as unknown as NodeJS.WriteStream;
  return {
    io: {
      env: {},
      stdin: process.stdin,
      stdout: stream((c) => (out += c)),
      stderr: stream((c) => (err += c)),
    },
    stdout: () => out,
    stderr: () => err,
  };
}
