import type { TimeZone } from '@wfm-stream/core';

import { calabrioJsonTarget } from './calabrio-json.js';
import { calabrioQueueFileTarget } from './calabrio-queue-file.js';
import type { TargetConfig } from './config.js';
import { fileDropTarget } from './file-drop.js';
import { pipkinsJsonTarget } from './pipkins-json.js';
import type { Target } from './types.js';

export interface TargetSettings {
  /** The contact center's zone, for formats that write local times. */
  readonly zone: TimeZone;
  /** Longest an HTTP request may take. */
  readonly httpTimeoutMs: number;
}

/** The adapter of a configured target. */
export function createTarget(config: TargetConfig, settings: TargetSettings): Target {
  switch (config.kind) {
    case 'calabrio-json':
      return calabrioJsonTarget(config, settings.httpTimeoutMs);
    case 'pipkins-json':
      return pipkinsJsonTarget(config, settings.httpTimeoutMs);
    case 'calabrio-queue-file':
      return calabrioQueueFileTarget(config, settings.zone, settings.httpTimeoutMs);
    case 'file-drop':
      return fileDropTarget(config);
  }
}

export * from './calabrio-json.js';
export * from './calabrio-queue-file.js';
export * from './config.js';
export * from './file-drop.js';
export * from './pipkins-json.js';
export * from './types.js';
