import { formatInstant, type TimeZone } from '@wfm-stream/core';
import { intervalMinutes, intervalName, type IntervalRecords, shortHash } from '@wfm-stream/export';

import { writeFileAtomic } from './atomic-file.js';
import type { CalabrioQueueFileConfig } from './config.js';
import { post } from './http.js';
import { type DeliveryContext, idempotencyKey, type Target } from './types.js';

/**
 * Calabrio WFM's (formerly Teleopti WFM) queue data import file — see README.md for the
 * sources. Text, UTF-8, no header, one row per interval and queue, 21 fields split on a
 * single separator character (no quoting):
 *
 *   1 interval length (minutes)   2 date (yyyyMMdd)   3 time (HH:mm)   4 queue (integer)
 *   5 queue name   6 offered   7 overflow in   8 abandoned   9 overflow out   10 answered
 *   11 queued-and-answered duration   12 queued-and-abandoned duration   13 talk time
 *   14 wrap-up time   15 longest queue time of the answered   16 longest queue time of the
 *   abandoned   17 average available members   18 answered within service level
 *   19 wait time   20 short abandons   21 abandoned within service level
 *
 * Durations in seconds; columns without data are 0. From the queue statistics
 * (services/exporter/README.md): offered = offeredContacts, answered = answeredContacts,
 * talk time = contactTime.
 */
export const QUEUE_FILE_FIELDS = 21;

/** Teleopti stores queue names in 50 characters. */
const QUEUE_NAME_MAX = 50;

/** FNV-1a (32-bit) of the id, as a non-negative int32: a stable queue number. */
export function fnv1a31(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 0x7fffffff;
}

/**
 * The queue column: the configured number for the group, else the group id itself when
 * it is a number, else a stable hash of it (configure `queueCodes` to choose numbers).
 */
export function queueCode(groupId: string, codes: Readonly<Record<string, number>>): number {
  const configured = codes[groupId];
  if (configured !== undefined) return configured;
  if (/^\d{1,9}$/.test(groupId)) return Number(groupId);
  return fnv1a31(groupId);
}

function cleanName(name: string, separator: string): string {
  const cleaned = name
    .replaceAll(separator, ' ')
    .replace(/[\r\n]+/g, ' ')
    .trim();
  return cleaned.slice(0, QUEUE_NAME_MAX);
}

export interface QueueFileOptions {
  readonly target: string;
  readonly separator: ';' | ',';
  readonly timeZone: 'utc' | 'local';
  readonly zone: TimeZone;
  readonly queueCodes: Readonly<Record<string, number>>;
}

export interface QueueFile {
  readonly name: string;
  readonly content: string;
}

/**
 * The file of one interval: its rows, ordered by queue (none when no queue has a record:
 * nothing is delivered then), and a unique name
 * `<target>-<yyyyMMdd>-<HHmm>-<hash>.csv` (Calabrio wants every imported file name to be
 * new; the hash changes when a restated interval changes).
 */
export function calabrioQueueFile(records: IntervalRecords, options: QueueFileOptions): QueueFile {
  const { startMs } = records.interval;
  const offset = options.timeZone === 'local' ? options.zone.offsetMinutesAt(startMs) : 0;
  const local = formatInstant(startMs, offset);
  const date = local.slice(0, 10).replaceAll('-', '');
  const time = local.slice(11, 16);
  const minutes = intervalMinutes(records.interval);
  const rows = records.queueStatistics
    .map((q) => ({ code: queueCode(q.queueId, options.queueCodes), q }))
    .sort((a, b) => a.code - b.code || (a.q.queueId < b.q.queueId ? -1 : 1))
    .map(({ code, q }) =>
      [
        minutes,
        date,
        time,
        code,
        cleanName(q.queueName, options.separator),
        q.offeredContacts,
        0,
        0,
        0,
        q.answeredContacts,
        0,
        0,
        q.contactTime,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
      ].join(options.separator),
    );
  const content = rows.map((row) => `${row}\n`).join('');
  const name = `${options.target}-${date}-${time.replace(':', '')}-${shortHash(content)}.csv`;
  return { name, content };
}

export function calabrioQueueFileTarget(
  config: CalabrioQueueFileConfig,
  zone: TimeZone,
  timeoutMs: number,
): Target {
  const options: QueueFileOptions = {
    target: config.name,
    separator: config.separator,
    timeZone: config.timeZone,
    zone,
    queueCodes: config.queueCodes,
  };
  return {
    name: config.name,
    kind: config.kind,
    async deliver(records: IntervalRecords, context: DeliveryContext): Promise<void> {
      const file = calabrioQueueFile(records, options);
      if (file.content === '') return;
      if (config.directory !== undefined) {
        await writeFileAtomic(config.directory, file.name, file.content);
        return;
      }
      if (config.url === undefined) return;
      await post({ ...config, url: config.url }, file.content, {
        contentType: 'text/csv; charset=utf-8',
        idempotencyKey: idempotencyKey(
          config.name,
          intervalName(records.interval),
          shortHash(file.content),
        ),
        timeoutMs,
        signal: context.signal,
        headers: { 'content-disposition': `attachment; filename="${file.name}"` },
      });
    },
  };
}
