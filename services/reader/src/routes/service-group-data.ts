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

export interface ServiceGroupDataDeps {
  readonly cache: AnswerCache;
  readonly historic: HistoricQueries;
  readonly directory: DirectoryStore;
  readonly systemId: string;
  readonly maxQueryDays: number;
  readonly maxIds: number;
}

const intervalSchema = {
  type: 'object',
  required: [
    'startInterval',
    'endInterval',
    'notUniqueReceived',
    'notUniqueTreated',
    'notUniqueMissed',
    'receivedCalls',
    'treatedCalls',
    'missCalls',
    'aht',
    'postProcessing',
  ],
  properties: {
    startInterval: { type: 'string', format: 'date-time' },
    endInterval: { type: 'string', format: 'date-time' },
    notUniqueReceived: {
      type: 'integer',
      format: 'int64',
      description: 'Contacts offered in the interval.',
    },
    notUniqueTreated: {
      type: 'integer',
      format: 'int64',
      description: 'Of those, HANDLED or TRANSFERRED.',
    },
    notUniqueMissed: { type: 'integer', format: 'int64', description: 'Of those, ABANDONED.' },
    receivedCalls: { type: 'integer', format: 'int64', description: 'Unique contacts offered.' },
    treatedCalls: { type: 'integer', format: 'int64', description: 'Unique and treated.' },
    missCalls: { type: 'integer', format: 'int64', description: 'Unique and missed.' },
    aht: {
      type: 'integer',
      format: 'int64',
      description: 'Σ(ring+talk+hold) of the treated ÷ notUniqueTreated, ms.',
    },
    postProcessing: {
      type: 'integer',
      format: 'int64',
      description: 'Σ(wrap-up+relax) of the treated ÷ notUniqueTreated, ms.',
    },
  },
} as const;

export function serviceGroupDataRoute(deps: ServiceGroupDataDeps): RouteDefinition {
  const specs = {
    startDate: dateTimeParam(
      'startDate',
      'Start of the period (inclusive), with offset; intervals start at 00:00 of its day in its offset.',
    ),
    endDate: dateTimeParam('endDate', 'End of the period (exclusive), with offset.'),
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
    response: {
      type: 'array',
      items: {
        type: 'object',
        required: ['serviceId', 'groupId', 'historicData'],
        properties: {
          serviceId: { type: 'string' },
          groupId: { type: 'string' },
          historicData: { type: 'array', items: intervalSchema },
        },
      },
    },
    async handle(query) {
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
        deps.directory.groups(),
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
          historicData: rows.map(({ startMs, endMs, ...fields }) => ({
            startInterval: format(startMs),
            endInterval: format(endMs),
            ...fields,
          })),
        });
      }
      if (answer.length === 0) {
        throw notFound(
          'groupId',
          `No contacts were offered to group(s) ${q.groupId.join(', ')} between ${formatInstant(period.start.ms, offset)} and ${formatInstant(period.end.ms, offset)}.`,
        );
      }
      const body = new PreparedBody(JSON.stringify(answer));
      deps.cache.set(request, versions, body);
      return body;
    },
  };
}
