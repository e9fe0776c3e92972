export * from './fragments.js';
export * from './load.js';
export * from './run.js';
export * from './url-credentials.js';
export * from './values.js';
