export * from './agent-states.js';
export * from './bundled.js';
export * from './call-log.js';
export * from './local-time.js';
export * from './mapping.js';
export * from './plan.js';
