import { describe, expect, it } from 'vitest';

import { ACROSS_MIDNIGHT, log, row } from './fixtures.spec.js';
import { CALL_LOG_ZONE, CallLogError, type CallRecord, parseCallLog } from './index.js';

/** Epoch ms of a February 1999 Israel wall time (+02:00, no daylight saving then). */
const feb1999 = (day: number, h: number, mi: number, s: number): number =>
  Date.UTC(1999, 1, day, h - 2, mi, s);

function thrown(run: () => unknown): CallLogError {
  try {
    run();
  } catch (error) {
    if (error instanceof CallLogError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('parseCallLog', () => {
  it('reads a row into a typed record, times as instants in Israel time', () => {
    expect(CALL_LOG_ZONE).toBe('Asia/Jerusalem');
    const records = parseCallLog(
      log(
        row({
          'vru+line': 'AA0305',
          call_id: '34536',
          customer_id: '23317894',
          priority: '2',
          type: 'NE',
          date: '990203',
          vru_entry: '7:02:47',
          vru_exit: '7:02:56',
          q_start: '7:02:56',
          q_exit: '7:03:30',
          ser_start: '7:03:29',
          ser_exit: '7:05:41',
          server: 'DORIT',
        }),
      ),
    );
    expect(records).toEqual<CallRecord[]>([
      {
        line: 2,
        vruLine: 'AA0305',
        callId: '34536',
        contactId: 'AA0305-34536',
        customerId: '23317894',
        priority: 2,
        groupId: 'NE',
        localDate: '1999-02-03',
        vruEntryMs: feb1999(3, 7, 2, 47),
        vruExitMs: feb1999(3, 7, 2, 56),
        queueStartMs: feb1999(3, 7, 2, 56),
        queueExitMs: feb1999(3, 7, 3, 30),
        outcome: 'AGENT',
        serviceStartMs: feb1999(3, 7, 3, 29),
        serviceExitMs: feb1999(3, 7, 5, 41),
        server: 'DORIT',
      },
    ]);
  });

  it('leaves out what the log says is none: customer 0, stages at 0:00:00', () => {
    const [record] = parseCallLog(log(row({ outcome: 'HANG' })));
    expect(record).toEqual<CallRecord>({
      line: 2,
      vruLine: 'AA0101',
      callId: '1',
      contactId: 'AA0101-1',
      priority: 0,
      groupId: 'PS',
      localDate: '1999-02-01',
      vruEntryMs: feb1999(1, 10, 0, 0),
      vruExitMs: feb1999(1, 10, 0, 10),
      outcome: 'HANG',
      server: 'NO_SERVER',
    });
    expect(record && 'customerId' in record).toBe(false);
    expect(record && 'queueStartMs' in record).toBe(false);
  });

  it('adds a day to stages after midnight, not to the log’s second-early service starts', () => {
    const [late, jitter] = parseCallLog(
      log(
        row({ call_id: '1', ...ACROSS_MIDNIGHT }),
        row({ call_id: '2', vru_exit: '10:00:10', ser_start: '10:00:08', ser_exit: '10:01:00' }),
      ),
    );
    expect(late).toMatchObject({
      localDate: '1999-02-01',
      vruEntryMs: feb1999(1, 23, 58, 0),
      queueStartMs: feb1999(1, 23, 59, 0),
      queueExitMs: feb1999(2, 0, 1, 30),
      serviceStartMs: feb1999(2, 0, 1, 29),
      serviceExitMs: feb1999(2, 0, 5, 0),
    });
    expect(jitter).toMatchObject({
      vruExitMs: feb1999(1, 10, 0, 10),
      serviceStartMs: feb1999(1, 10, 0, 8),
    });
  });

  it('accepts CRLF line ends and blank lines, and keeps the file’s line numbers', () => {
    const text = `${log(row({ call_id: '1' }), '', row({ call_id: '2' }))}\r\n`.replaceAll(
      '\n',
      '\r\n',
    );
    expect(parseCallLog(text).map((r) => [r.line, r.contactId])).toEqual([
      [2, 'AA0101-1'],
      [4, 'AA0101-2'],
    ]);
  });

  it('names the line and the reason of a malformed row', () => {
    const cases: [string, number, string][] = [
      [
        log(row({ call_id: '1' }), row({ call_id: '2', ser_start: '25:00:00' })),
        3,
        'line 3: ser_start is not a time h:mm:ss: "25:00:00"',
      ],
      [log(row({ q_exit: '10:0:10' })), 2, 'line 2: q_exit is not a time h:mm:ss: "10:0:10"'],
      [log(row({ outcome: 'LOST' })), 2, 'line 2: outcome is not AGENT, HANG or PHANTOM: "LOST"'],
      [log(row({ type: 'XX' })), 2, 'line 2: type is not one of PS, PE, IN, NE, NW, TT: "XX"'],
      [log(row({ date: '990230' })), 2, 'line 2: date is not a yymmdd date: "990230"'],
      [log(row({ priority: 'high' })), 2, 'line 2: priority is not a number: "high"'],
      [log(row({ server: '' })), 2, 'line 2: server is empty'],
      [log(row(), 'AA0101\t2\t0\t0\tPS\t990201'), 3, 'line 3: missing column vru_entry'],
      [log(`${row()}\textra`), 2, 'line 2: has 18 fields, the header 17'],
      [
        log(row({ call_id: '7' }), row({ call_id: '8' }), row({ call_id: '7' })),
        4,
        'line 4: call AA0101-7 again (first on line 2)',
      ],
      ['vru+line\tcall_id\n', 1, 'line 1: the header has no column customer_id'],
    ];
    for (const [text, line, message] of cases) {
      const error = thrown(() => parseCallLog(text));
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('CallLogError');
      expect([error.line, error.message]).toEqual([line, message]);
    }
  });
});
