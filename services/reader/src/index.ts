export * from './app.js';
export * from './config.js';
export * from './errors.js';
export * from './params.js';
export * from './reader.js';
export * from './route.js';
