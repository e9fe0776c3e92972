export * from './commands/publish.js';
export * from './commands/start.js';
export * from './paths.js';
