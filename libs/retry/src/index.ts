export * from './backoff.js';
export * from './classify.js';
