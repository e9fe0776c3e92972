export * from './agents/chat-work-time.js';
export * from './agents/timeline.js';
export * from './contacts/contribution.js';
export * from './contacts/facts.js';
export * from './historic/service-group.js';
export * from './metrics/formulas.js';
export * from './reference/service-group-reference.js';
export * from './time/index.js';
