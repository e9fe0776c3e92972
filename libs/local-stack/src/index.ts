export * from './java-runtime.js';
export * from './kafka.js';
export * from './redis.js';
export * from './redis-cluster.js';
export * from './schema-registry.js';
export * from './system.js';
// the process and port utilities live in @wfm-stream/process (production commands use them
// too); the local stack's users get them here as before
export * from '@wfm-stream/process';
