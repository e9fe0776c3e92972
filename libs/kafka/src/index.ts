export * from './client.js';
export * from './consumer.js';
export * from './consumer-metrics.js';
export * from './dead-letter.js';
export * from './decode.js';
export * from './group-progress.js';
export * from './publisher.js';
export * from './registry.js';
