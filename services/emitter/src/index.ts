export * from './config.js';
export * from './emitter.js';
export * from './handler.js';
export * from './push-metrics.js';
export * from './status-pusher.js';
