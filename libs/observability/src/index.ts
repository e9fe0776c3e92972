export * from './health.js';
export * from './logger.js';
export * from './metrics.js';
export * from './ops-server.js';
export * from './redact.js';
export * from './round-trip.js';
