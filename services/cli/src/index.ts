export * from './commands/publish.js';
export * from './commands/start/run.js';
export * from './paths.js';
