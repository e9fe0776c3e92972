import { intervalName, type IntervalRecords, type RecordSet, shortHash } from '@wfm-stream/export';

import type { CalabrioJsonConfig } from './config.js';
import { joinUrl, post } from './http.js';
import { type DeliveryContext, idempotencyKey, type Target } from './types.js';

/** One request of the Calabrio flavour: a record set as a JSON array, to its own path. */
export interface CalabrioJsonRequest {
  readonly set: RecordSet;
  readonly path: string;
  readonly body: string;
}

/**
 * The Calabrio flavour: each of the iService WFM integration's three record sets is POSTed,
 * as a JSON array of records in its field names, to its own endpoint — queue statistics, agent
 * activity, agent login, in that order. Every interval sends all three, empty arrays
 * included, so a restated interval that lost its records clears them at the WFM.
 */
export function calabrioJsonRequests(
  records: IntervalRecords,
  paths: CalabrioJsonConfig['paths'],
): CalabrioJsonRequest[] {
  return [
    {
      set: 'queueStatistics',
      path: paths.queueStatistics,
      body: JSON.stringify(records.queueStatistics),
    },
    {
      set: 'agentActivity',
      path: paths.agentActivity,
      body: JSON.stringify(records.agentActivity),
    },
    { set: 'agentLogin', path: paths.agentLogin, body: JSON.stringify(records.agentLogin) },
  ];
}

export function calabrioJsonTarget(config: CalabrioJsonConfig, timeoutMs: number): Target {
  return {
    name: config.name,
    kind: config.kind,
    async deliver(records: IntervalRecords, context: DeliveryContext): Promise<void> {
      const start = intervalName(records.interval);
      for (const request of calabrioJsonRequests(records, config.paths)) {
        const part = `${request.set}:${shortHash(request.body)}`;
        if (context.completed.has(part)) continue;
        await post({ ...config, url: joinUrl(config.url, request.path) }, request.body, {
          contentType: 'application/json',
          idempotencyKey: idempotencyKey(config.name, start, shortHash(request.body), request.set),
          timeoutMs,
          signal: context.signal,
        });
        context.completed.add(part);
      }
    },
  };
}
