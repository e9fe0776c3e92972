export * from './ports.js';
export * from './process.js';
