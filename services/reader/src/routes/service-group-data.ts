import { bucketMinutesFor, formatInstant, intervalGrid, serviceGroupRows } from '@wfm-stream/core';
import type { DirectoryStore, HistoricQueries } from '@wfm-stream/store';

import type { AnswerCache } from '../answer-cache.js';
import { notFound } from '../errors.js';
import {
  checkPeriod,
  checkWholeMinutes,
  dateTimeParam,
  idListParam,
  parseQuery,
  stepParam,
} from '../params.js';
import { PreparedBody } from '../prepared-body.js';
import type { RouteDefinition } from '../route.js';
import { SERVICE_GROUP_DATA_SCHEMA } from '../schemas.js';
import { endDateRule, EXAMPLE_END, EXAMPLE_START } from './agent-params.js';

export interface ServiceGroupDataDeps {
  readonly cache: AnswerCache;
  readonly historic: HistoricQueries;
  readonly directory: DirectoryStore;
  readonly systemId: string;
  readonly maxQueryDays: number;
  readonly maxIds: number;
}

export function serviceGroupDataRoute(deps: ServiceGroupDataDeps): RouteDefinition {
  const specs = {
    startDate: dateTimeParam(
      'startDate',
      'Start of the period (inclusive): an ISO-8601 date-time with an offset (`Z` or `±hh:mm`), on a whole minute (seconds 00). Intervals start at 00:00 of its day in its offset, and answers are written in that offset.',
      EXAMPLE_START,
    ),
    endDate: dateTimeParam(
      'endDate',
      `End of the period (exclusive), with an offset, on a whole minute. ${endDateRule(deps.maxQueryDays)}`,
      EXAMPLE_END,
    ),
    step: stepParam,
    groupId: idListParam('groupId', 'Groups to report.', deps.maxIds),
  };
  return {
    url: '/historic/serviceGroupData',
    summary: 'Contacts per group and interval, for forecasting',
    description:
      'Per group and interval of `step` ms: contacts offered in the interval (by offer time) and their outcome, unique counts per customer and day, average handling and post-processing times. Intervals without contacts and groups without data are left out. BOT_CLOSED contacts are left out entirely.',
    tag: 'historic',
    params: Object.values(specs),
    response: SERVICE_GROUP_DATA_SCHEMA,
    notFound: 'No contact was offered to a requested group in the period (`field` groupId).',
    async handle(query, serialize) {
      const q = parseQuery(query, specs);
      const period = checkPeriod({ start: q.startDate, end: q.endDate }, deps.maxQueryDays);
      checkWholeMinutes(period);
      const grid = intervalGrid(period.start, q.step);
      const bucketMinutes = bucketMinutesFor(grid, period.start.ms, period.end.ms);
      const request = JSON.stringify([
        q.groupId,
        period.start.ms,
        period.start.offsetMinutes,
        period.end.ms,
        q.step,
      ]);
      const [dataVersions, directoryVersion] = await Promise.all([
        deps.historic.versions(q.groupId, period.start.ms, period.end.ms),
        deps.directory.version(),
      ]);
      const versions = `${directoryVersion};${dataVersions}`;
      const cached = deps.cache.get(request, versions);
      if (cached !== undefined) return cached;

      const [buckets, groups] = await Promise.all([
        deps.historic.groupBuckets(q.groupId, period.start.ms, period.end.ms, bucketMinutes),
        // the directory of the version just read: no second GET of it
        deps.directory.groups(directoryVersion),
      ]);
      const offset = period.start.offsetMinutes;
      const formatted = new Map<number, string>();
      const format = (ms: number): string => {
        let text = formatted.get(ms);
        if (text === undefined) {
          text = formatInstant(ms, offset);
          formatted.set(ms, text);
        }
        return text;
      };
      const answer = [];
      for (const groupId of q.groupId) {
        const rows = serviceGroupRows(buckets.get(groupId) ?? [], grid);
        if (rows.length === 0) continue;
        answer.push({
          serviceId: groups.get(groupId)?.serviceId ?? deps.systemId,
          groupId,
          // the fields written out rather than spread: this runs for every interval answered
          historicData: rows.map((r) => ({
            startInterval: format(r.startMs),
            endInterval: format(r.endMs),
            notUniqueReceived: r.notUniqueReceived,
            notUniqueTreated: r.notUniqueTreated,
            notUniqueMissed: r.notUniqueMissed,
            receivedCalls: r.receivedCalls,
            treatedCalls: r.treatedCalls,
            missCalls: r.missCalls,
            aht: r.aht,
            postProcessing: r.postProcessing,
          })),
        });
      }
      if (answer.length === 0) {
        throw notFound(
          'groupId',
          `No contacts were offered to group(s) ${q.groupId.join(', ')} between ${formatInstant(period.start.ms, offset)} and ${formatInstant(period.end.ms, offset)}.`,
        );
      }
      const body = new PreparedBody(serialize(answer));
      deps.cache.set(request, versions, body);
      return body;
    },
  };
}
