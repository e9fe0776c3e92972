import { describe, expect, it } from 'vitest';

import { backoffMs, classifyError } from './index.js';

describe('backoffMs', () => {
  const policy = { initialMs: 100, maxMs: 5_000 };

  it('doubles from the initial wait, jittered into half to all of the step, and caps', () => {
    expect(backoffMs(policy, 1, 0, () => 0)).toBe(50);
    expect(backoffMs(policy, 1, 0, () => 1)).toBe(100);
    expect(backoffMs(policy, 4, 0, () => 1)).toBe(800);
    expect(backoffMs(policy, 60, 0, () => 1)).toBe(5_000);
    expect(backoffMs(policy, 60, 0, () => 0)).toBe(2_500);
  });

  it('takes a longer hint from the server, within the cap', () => {
    expect(backoffMs(policy, 1, 3_000, () => 0)).toBe(3_000);
    expect(backoffMs(policy, 1, 60_000, () => 0)).toBe(5_000);
  });
});

function replyError(message: string): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  return error;
}

describe('classifyError', () => {
  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
    ],
    ['ioredis without a connection', new Error('Connection is closed.')],
    ['a Redis loading its data', replyError('LOADING Redis is loading the dataset in memory')],
    ['a Redis busy with a script', replyError('BUSY Redis is busy running a script')],
    ['a cluster failing over', replyError('CLUSTERDOWN The cluster is down')],
    [
      'a replica promoted meanwhile',
      replyError("READONLY You can't write against a read only replica."),
    ],
    ['kafkajs saying so', Object.assign(new Error('leader not available'), { retriable: true })],
    [
      'the Schema Registry away',
      Object.assign(new Error('down'), { name: 'RegistryUnavailableError' }),
    ],
    ['a wrapped connection failure', new Error('failed', { cause: new Error('socket hang up') })],
  ])('retries %s', (_what, error) => {
    expect(classifyError(error)).toBe('retriable');
  });

  it.each([
    ['a programmer error', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a stack overflow', new RangeError('Maximum call stack size exceeded')],
    ['a failing Lua script', replyError('ERR user_script:12: attempt to compare nil with number')],
    ['kafkajs saying so', Object.assign(new Error('message too large'), { retriable: false })],
    ['something that is not an error', 'oops'],
  ])('gives up on %s', (_what, error) => {
    expect(classifyError(error)).toBe('permanent');
  });
});
