import { describe, expect, it } from 'vitest';

import { ApiError } from './errors.js';
import { dateTimeParam, idListParam, stepParam } from './params.js';

/**
 * "is required" is for a parameter that is absent; a present one that is wrong, empty
 * included, is told what is wrong with it (docs/api.md, "Errors").
 */
function refusal(parse: () => unknown): { field: string; message: string; description: string } {
  try {
    parse();
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) return error.body();
    throw error;
  }
  throw new Error('not refused');
}

const startDate = dateTimeParam('startDate', 'Start.', '2020-01-01T00:00:00Z');
const groupId = idListParam('groupId', 'Groups.', 3);

describe('parameter messages', () => {
  it('says "is required" only when the parameter is absent', () => {
    expect(refusal(() => startDate.parse(undefined)).message).toBe('startDate is required');
    expect(refusal(() => stepParam.parse(undefined)).message).toBe('step is required');
    expect(refusal(() => groupId.parse(undefined)).message).toBe('groupId is required');
  });

  it('tells an empty date-time that it is not one', () => {
    const body = refusal(() => startDate.parse(''));
    expect(body).toMatchObject({
      field: 'startDate',
      message: 'startDate is not a date-time with an offset',
    });
    expect(body.description).toContain('ISO-8601 date-time with an offset');
    expect(body.description).toContain('got ""');
  });

  it('tells a wrong date-time what is wrong, whatever it is', () => {
    for (const text of ['abc', '0000-01-01T00:00:00Z', '99999-01-01T00:00:00Z', '2020-01-01']) {
      const body = refusal(() => startDate.parse(text));
      expect(body.message, text).toBe('startDate is not a date-time with an offset');
      expect(body.description, text).toContain(`got "${text}"`);
    }
  });

  it('tells an empty or wrong step that it is not an interval length', () => {
    for (const text of ['', '0', '-1', '7', '1e9', 'abc', '86400001']) {
      const body = refusal(() => stepParam.parse(text));
      expect(body.message, text).toBe('step is not a valid interval length');
      expect(body.description, text).toContain('positive multiple of 60000');
    }
  });

  it('tells a list of only empty items that it lists no ids', () => {
    for (const raw of ['', ',', ' , ,', ['', ',']]) {
      expect(
        refusal(() => groupId.parse(raw)),
        JSON.stringify(raw),
      ).toMatchObject({
        field: 'groupId',
        message: 'groupId lists no ids',
      });
    }
  });

  it('tells a repeated single value that it is repeated', () => {
    expect(refusal(() => stepParam.parse(['60000', '60000'])).message).toBe('step is repeated');
  });
});
