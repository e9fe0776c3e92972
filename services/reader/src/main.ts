#!/usr/bin/env node
import { runService } from '@wfm-stream/config';

import { readerConfigSchema } from './config.js';
import { startReader } from './reader.js';

await runService({ name: 'reader', schema: readerConfigSchema, start: startReader });
