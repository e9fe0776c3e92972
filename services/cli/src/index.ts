export { COMMANDS } from './commands.js';
export * from './commands/publish.js';
export * from './commands/start/run.js';
export * from './paths.js';
export { type Command, commandPaths } from './table/command.js';
