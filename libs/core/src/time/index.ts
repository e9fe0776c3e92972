export * from './grid.js';
export * from './instant.js';
export * from './zone.js';
