export * from './error-serializer.js';
export * from './health.js';
export * from './logger.js';
export * from './metric-window.js';
export * from './metrics.js';
export * from './ops-server.js';
export * from './round-trip.js';
export * from './status.js';
