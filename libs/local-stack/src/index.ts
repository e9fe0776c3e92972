export * from './mock-kafka.js';
export * from './ports.js';
export * from './process.js';
export * from './redis.js';
export * from './system.js';
