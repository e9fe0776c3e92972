#!/usr/bin/env node
import { runService } from '@wfm-stream/config';

import { exporterConfigSchema } from './config.js';
import { startExporter } from './exporter.js';

await runService({ name: 'exporter', schema: exporterConfigSchema, start: startExporter });
