export * from './hash.js';
export * from './intervals.js';
export * from './job.js';
export * from './queue.js';
export * from './records.js';
export * from './reexport.js';
export * from './settings.js';
export * from './topic-reader.js';
