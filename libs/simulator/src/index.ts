export * from './directory.js';
export * from './figures.js';
export * from './invariants.js';
export * from './model.js';
export * from './profile.js';
export * from './schedule.js';
export * from './simulation.js';
