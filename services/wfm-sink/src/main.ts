#!/usr/bin/env node
import { runService } from '@wfm-stream/config';

import { sinkConfigSchema } from './config.js';
import { startWfmSink } from './sink.js';

await runService({
  name: 'wfm-sink',
  schema: sinkConfigSchema,
  async start(config, logger) {
    const sink = await startWfmSink({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      maxKept: config.SINK_MAX_KEPT,
      logger,
    });
    logger.info({ url: sink.url }, 'WFM sink listening; GET /_sink/received lists what arrived');
    return sink;
  },
});
