export * from './helpers.js';
export * from './http-server.js';
export * from './log-capture.js';
export * from './scratch-dir.js';
export * from './secure-redis.js';
export * from './sse.js';
export type * from './stack.js';
export * from './topic-messages.js';
