import { describe, expect, it } from 'vitest';

import { joinUrl, retryAfterMs } from './http.js';
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
});
