#!/usr/bin/env node
import { runService } from '@wfm-stream/config';

import { emitterConfigSchema } from './config.js';
import { startEmitter } from './emitter.js';

await runService({ name: 'emitter', schema: emitterConfigSchema, start: startEmitter });
