import { formatInstant } from '@wfm-stream/core';
import { intervalName, type IntervalRecords, shortHash } from '@wfm-stream/export';

import type { PipkinsJsonConfig } from './config.js';
import { post } from './http.js';
import { type DeliveryContext, idempotencyKey, type Target } from './types.js';

/**
 * The Pipkins flavour: one JSON document per interval holding the three record sets in
 * the iService WFM integration's field names, with the interval's start and end (the end
 * tells a short last interval of a daylight-saving day from a full one).
 */
export function pipkinsJsonBody(records: IntervalRecords): string {
  return JSON.stringify({
    intervalStartDateTime: intervalName(records.interval),
    intervalEndDateTime: formatInstant(records.interval.endMs),
    queueStatistics: records.queueStatistics,
    agentActivity: records.agentActivity,
    agentLogin: records.agentLogin,
  });
}

export function pipkinsJsonTarget(config: PipkinsJsonConfig, timeoutMs: number): Target {
  return {
    name: config.name,
    kind: config.kind,
    async deliver(records: IntervalRecords, context: DeliveryContext): Promise<void> {
      const body = pipkinsJsonBody(records);
      await post(config, body, {
        contentType: 'application/json',
        idempotencyKey: idempotencyKey(
          config.name,
          intervalName(records.interval),
          shortHash(body),
        ),
        timeoutMs,
        signal: context.signal,
      });
    },
  };
}
