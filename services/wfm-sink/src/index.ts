export * from './config.js';
export * from './sink.js';
