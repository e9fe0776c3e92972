import { describe, expect, it } from 'vitest';

import { masterOfSlot } from './redis-cluster.js';

const NODES = [
  'a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460',
  'a2 127.0.0.1:7002@17002 master,fail - 0 0 2 connected 5461-10922',
  'a3 127.0.0.1:7003@17003 master - 0 0 3 connected 10923-16383',
  'b1 127.0.0.1:7004@17004 slave a1 0 0 1 connected',
  'b2 127.0.0.1:7005@17005 master - 0 0 7 connected 5461-10921 10922',
  'b3 127.0.0.1:7006@17006 slave a3 0 0 3 connected',
].join('\n');

describe('masterOfSlot', () => {
  it('finds the live master whose ranges hold the slot, from CLUSTER NODES', () => {
    expect(masterOfSlot(NODES, 0)).toBe('127.0.0.1:7001');
    expect(masterOfSlot(NODES, 5460)).toBe('127.0.0.1:7001');
    // the failed master is passed over for the replica that took its slots
    expect(masterOfSlot(NODES, 6000)).toBe('127.0.0.1:7005');
    expect(masterOfSlot(NODES, 10922)).toBe('127.0.0.1:7005');
    expect(masterOfSlot(NODES, 16383)).toBe('127.0.0.1:7003');
  });

  it('is undefined for a slot nobody serves', () => {
    expect(masterOfSlot(NODES.split('\n').slice(0, 2).join('\n'), 6000)).toBeUndefined();
  });
});
