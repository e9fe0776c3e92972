export * from './contacts/contribution.js';
export * from './contacts/facts.js';
export * from './historic/service-group.js';
export * from './metrics/formulas.js';
export * from './time/index.js';
