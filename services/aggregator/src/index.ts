export * from './aggregator.js';
export * from './config.js';
export * from './handler.js';
