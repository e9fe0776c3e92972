export * from './helpers.js';
export type * from './stack.js';
