export * from './ensure.js';
export * from './layout.js';
export * from './plan.js';
export * from './settings.js';
