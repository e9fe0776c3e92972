export * from './directory.js';
export * from './model.js';
export * from './simulation.js';
