#!/usr/bin/env node
import { runService } from '@wfm-stream/config';

import { startAggregator } from './aggregator.js';
import { aggregatorConfigSchema } from './config.js';

await runService({ name: 'aggregator', schema: aggregatorConfigSchema, start: startAggregator });
