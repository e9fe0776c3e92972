import { afterEach } from 'vitest';

/**
 * Tests must not print: output hides what failed. A test that writes to the console
 * fails, naming what it printed.
 */
const printed: string[] = [];
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[method] = (...args: unknown[]) => {
    printed.push(`console.${method}: ${args.map(String).join(' ').slice(0, 200)}`);
  };
}

afterEach(() => {
  if (printed.length > 0) {
    const lines = printed.splice(0);
    throw new Error(`the test printed to the console:\n${lines.join('\n')}`);
  }
});
