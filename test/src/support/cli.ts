import { spawn } from 'node:child_process';
import path from 'node:path';

import { REPO_DIR } from '@wfm-stream/cli';

/** The command as `npx wfm-stream` runs it: the link that `npm ci` makes on a fresh clone. */
export const CLI = path.join(REPO_DIR, 'node_modules', '.bin', 'wfm-stream');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `wfm-stream <args>` with the environment added to this process's, and waits for it. */
export function runCli(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; stdin?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
