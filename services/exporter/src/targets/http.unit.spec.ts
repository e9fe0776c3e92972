import { getEventListeners } from 'node:events';

import { describe, expect, it } from 'vitest';

import { joinUrl, requestSignal, retryAfterMs } from './http.js';
import { asDeliveryError, DeliveryError } from './types.js';

describe('HTTP helpers', () => {
  it('join a base URL and a path with exactly one slash', () => {
    expect(joinUrl('https://wfm/api', 'queue-statistics')).toBe('https://wfm/api/queue-statistics');
    expect(joinUrl('https://wfm/api/', '/agent-login')).toBe('https://wfm/api/agent-login');
    expect(joinUrl('https://wfm/api', '')).toBe('https://wfm/api');
  });

  it('read Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2024, 5, 1, 10, 0, 0);
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Sat, 01 Jun 2024 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('treat unknown failures as retriable', () => {
    expect(asDeliveryError(new Error('boom')).retriable).toBe(true);
    const refused = new DeliveryError('400', false);
    expect(asDeliveryError(refused)).toBe(refused);
  });

  it('leave nothing on the long-lived signal once a request is done', () => {
    const worker = new AbortController();
    for (let i = 0; i < 1_000; i++) requestSignal(worker.signal, 60_000).done();
    expect(getEventListeners(worker.signal, 'abort')).toHaveLength(0);
    // what AbortSignal.any leaves behind on Node 20: a dependant per call, never released
    const dependants = Object.getOwnPropertySymbols(worker.signal).find(
      (s) => s.description === 'kDependantSignals',
    );
    const kept = dependants === undefined ? undefined : (worker.signal as never)[dependants];
    expect((kept as Set<unknown> | undefined)?.size ?? 0).toBe(0);
  });

  it('abort a request when the caller aborts or the time is up', async () => {
    const worker = new AbortController();
    const request = requestSignal(worker.signal, 60_000);
    worker.abort(new Error('stopping'));
    expect(request.signal.aborted).toBe(true);
    expect((request.signal.reason as Error).message).toBe('stopping');
    request.done();

    const slow = requestSignal(new AbortController().signal, 10);
    await new Promise((resolve) => {
      slow.signal.addEventListener('abort', resolve, { once: true });
    });
    expect((slow.signal.reason as Error).name).toBe('TimeoutError');
    slow.done();
  });
});
