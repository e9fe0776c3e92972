import { describe, expect, it } from 'vitest';

import { decodeJob, encodeJob, JOB_HEADERS, jobInterval, newJob } from './index.js';

const interval = { startMs: Date.UTC(2024, 5, 1, 10, 0), endMs: Date.UTC(2024, 5, 1, 10, 15) };

describe('export jobs', () => {
  it('round-trip through a message keyed by target', () => {
    const job = newJob('calabrio', interval, 'scheduled', Date.UTC(2024, 5, 1, 10, 16));
    const message = encodeJob(job);
    expect(message.key).toBe('calabrio');
    expect(message.headers[JOB_HEADERS.intervalStart]).toBe('2024-06-01T10:00:00Z');
    const decoded = decodeJob(message.value);
    expect(decoded).toEqual({ ok: true, job });
    if (decoded.ok) expect(jobInterval(decoded.job)).toEqual(interval);
  });

  it('say what is wrong with a message that is not a job', () => {
    const job = newJob('calabrio', interval, 'scheduled', 0);
    expect(decodeJob(null)).toEqual({ ok: false, reason: 'empty message' });
    expect(decodeJob(Buffer.from('{'))).toEqual({ ok: false, reason: 'not JSON' });
    const bad = (patch: object): string => {
      const result = decodeJob(Buffer.from(JSON.stringify({ ...job, ...patch })));
      return result.ok ? 'ok' : result.reason;
    };
    expect(bad({ target: 'a b' })).toMatch(/^invalid job: target/);
    expect(bad({ intervalStart: '2024-06-01T10:00:00' })).toMatch(
      /intervalStart must be a date-time/,
    );
    expect(bad({ intervalEnd: job.intervalStart })).toMatch(/intervalEnd must be after/);
    expect(bad({ reason: 'whim' })).toMatch(/^invalid job: reason/);
  });
});
