export * from './avro.js';
export * from './catalog.js';
export * from './events.js';
export * from './examples.js';
export * from './fields.js';
export * from './instant.js';
export * from './routing.js';
export * from './validate.js';
