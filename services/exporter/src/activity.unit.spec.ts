import { STATUS_RECORDS } from '@wfm-stream/observability';
import { describe, expect, it } from 'vitest';

import { ExportActivity } from './activity.js';

describe('ExportActivity', () => {
  it('counts the fetched jobs not yet finished, per target', () => {
    const activity = new ExportActivity(() => 1_000);
    activity.fetched(0, ['a', 'b', 'a']);
    activity.fetched(1, ['a']);
    expect(activity.snapshot().a?.queued).toBe(3);
    activity.advanced(0);
    expect(activity.snapshot().a?.queued).toBe(2);
    activity.left(0);
    expect(activity.snapshot().a?.queued).toBe(1);
    expect(activity.snapshot().b).toBeUndefined();
  });

  it('shows a retry until the job is finished, and reports lasting changes once', async () => {
    const activity = new ExportActivity(() => 5_000);
    activity.retrying('calabrio', 2, 'POST answered 503');
    expect(activity.snapshot().calabrio?.retrying).toEqual({
      attempt: 2,
      reason: 'POST answered 503',
      sinceMs: 5_000,
    });
    activity.parked('calabrio', 'POST answered 400');
    activity.delivered('drop', 900_000);
    expect(activity.snapshot().calabrio).toMatchObject({ parked: 1, retrying: undefined });
    const first = await activity.collector()();
    expect(first.ops).toEqual(
      expect.arrayContaining([
        { op: 'inc', name: STATUS_RECORDS.exportParked, field: 'calabrio', value: 1 },
        { op: 'max', name: STATUS_RECORDS.exportDelivered, field: 'drop', value: 900_000 },
      ]),
    );
    expect((await activity.collector()()).ops).toEqual([]);
  });
});
