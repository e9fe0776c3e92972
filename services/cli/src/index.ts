export * from './commands/start.js';
export * from './paths.js';
