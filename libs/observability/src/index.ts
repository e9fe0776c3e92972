export * from './health.js';
export * from './health-metrics.js';
export * from './logger.js';
export * from './memory-probe.js';
export * from './metrics.js';
export * from './ops-server.js';
export * from './round-trip.js';
