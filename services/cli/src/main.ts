#!/usr/bin/env node
import { COMMANDS } from './commands.js';
import { runCommandLine } from './table/run.js';

process.exitCode = await runCommandLine(COMMANDS, process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
