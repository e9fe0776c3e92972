export * from './java-runtime.js';
export * from './kafka.js';
export * from './ports.js';
export * from './process.js';
export * from './redis.js';
export * from './schema-registry.js';
export * from './system.js';
