import { STATUS_RECORDS } from '@wfm-stream/observability';
import type { Directory, OnlineAgentState, StatusBoardReading } from '@wfm-stream/store';
import { describe, expect, it } from 'vitest';

import { agentRows, exportRows, pipelineView, queueRows, serviceLevelPercent } from './views.js';

const directory: Directory = {
  services: new Map([['s', { id: 's', name: 'Retail', status: 'ACTIVE' }]]),
  groups: new Map([
    ['g1', { id: 'g1', name: 'Sales', status: 'ACTIVE', serviceId: 's' }],
    ['g2', { id: 'g2', name: 'Support', status: 'ACTIVE', serviceId: 's' }],
  ]),
  agents: new Map([
    ['a1', { id: 'a1', name: 'Ann', surname: 'Lee', groupIds: ['g1', 'g2'] }],
    ['a2', { id: 'a2', name: 'Bo', groupIds: ['g1'] }],
  ]),
};
const agent = (agentId: string, category: string, loggedIn = true): OnlineAgentState => ({
  agentId,
  loggedIn,
  stateCode: category === 'AVAILABLE' ? 'READY' : 'BREAK:COFFEE',
  stateName: category === 'AVAILABLE' ? 'Ready' : 'Break / Coffee break',
  category,
  startMs: Date.parse('2026-03-02T10:00:00Z'),
});
const load = (groupId: string, answered: number, within: number, waiting = 0) => ({
  serviceId: 's',
  groupId,
  callNumber: waiting,
  operatorNumber: 0,
  callReceived: answered,
  callAnswered: answered,
  callAnsweredTst: within,
  callProcessing: 0,
});

describe('queueRows', () => {
  it('adds names, agents by state, the longest wait and the service level against the goal', () => {
    const agents = new Map([
      ['a1', agent('a1', 'AVAILABLE')],
      ['a2', agent('a2', 'NOT_READY')],
      ['a3', agent('a3', 'AVAILABLE')],
    ]);
    const rows = queueRows(
      [load('g1', 4, 3, 2), load('g2', 0, 0)],
      directory,
      agents,
      new Map([['g1', Date.parse('2026-03-02T10:05:00Z')]]),
      { targetSeconds: () => 20, goalPercent: (g) => (g === 'g1' ? 90 : 80) },
    );
    expect(rows[0]).toMatchObject({
      name: 'Sales',
      serviceName: 'Retail',
      oldestWaitingSince: '2026-03-02T10:05:00Z',
      agents: { available: 1, notReady: 1, busy: 0, afterContactWork: 0 },
      serviceLevel: { percent: 75, goalPercent: 90, targetSeconds: 20 },
    });
    expect(rows[1]?.serviceLevel.percent).toBeUndefined();
    expect(rows[1]?.oldestWaitingSince).toBeUndefined();
  });

  it('rounds the service level half up to one decimal', () => {
    expect(serviceLevelPercent(load('g', 3, 2))).toBe(66.7);
    expect(serviceLevelPercent(load('g', 0, 0))).toBeUndefined();
  });
});

describe('agentRows', () => {
  it('lists logged-in agents by id with their directory name and groups', () => {
    const rows = agentRows(
      directory,
      new Map([
        ['a2', agent('a2', 'AVAILABLE')],
        ['a1', agent('a1', 'NOT_READY')],
        ['x', agent('x', 'AVAILABLE', false)],
      ]),
    );
    expect(rows.map((r) => [r.agentId, r.name, r.groupIds])).toEqual([
      ['a1', 'Ann Lee', ['g1', 'g2']],
      ['a2', 'Bo', ['g1']],
    ]);
  });
});

const board = (instances: StatusBoardReading['instances']): StatusBoardReading => ({
  instances,
  records: new Map<string, Record<string, string>>([
    [STATUS_RECORDS.deadLetters, { 'wfm-aggregator': '3', 'wfm-emitter': '1' }],
    [STATUS_RECORDS.exportDelivered, { drop: String(Date.parse('2026-03-02T10:15:00Z')) }],
    [STATUS_RECORDS.exportParked, { pipkins: '2' }],
    [
      STATUS_RECORDS.exportFailure,
      { pipkins: JSON.stringify({ atMs: 0, reason: 'answered 400', parked: true }) },
    ],
  ]),
  lists: new Map([
    [
      STATUS_RECORDS.deadLetterRecent,
      [
        JSON.stringify({
          atMs: 0,
          group: 'wfm-aggregator',
          topic: 't',
          kind: 'not-json',
          reason: 'bad',
        }),
      ],
    ],
  ]),
});
const health = { live: true, ready: true, components: {} };

describe('exportRows and pipelineView', () => {
  it('merges what the exporters report with the lasting records', () => {
    const rows = exportRows(
      board([
        {
          service: 'exporter',
          instance: 'exporter/x',
          startedAtMs: 0,
          atMs: 0,
          intervalMs: 2000,
          health,
          exports: { drop: { queued: 2, delivered: 1, unchanged: 0, parked: 0 } },
        },
      ]),
    );
    expect(rows).toEqual([
      {
        target: 'drop',
        lastDeliveredEnd: '2026-03-02T10:15:00Z',
        queued: 2,
        parked: 0,
        instances: 1,
      },
      {
        target: 'pipkins',
        queued: 0,
        parked: 2,
        lastFailure: { at: '1970-01-01T00:00:00Z', reason: 'answered 400', parked: true },
        instances: 0,
      },
    ]);
  });

  it('sums lag and rates per consumer group and takes the slowest latencies', () => {
    const consumer = (group: string, lag: number, eventsPerSecond: number) => ({
      group,
      lag,
      eventsPerSecond,
      deadLettered: 0,
    });
    const view = pipelineView(
      board([
        {
          service: 'aggregator',
          instance: 'aggregator/1',
          startedAtMs: 0,
          atMs: 0,
          intervalMs: 2000,
          health,
          consumer: consumer('wfm-aggregator', 5, 100),
          latencies: { onlineFreshness: { count: 10, p50Ms: 20, p99Ms: 80 } },
        },
        {
          service: 'aggregator',
          instance: 'aggregator/2',
          startedAtMs: 0,
          atMs: 0,
          intervalMs: 2000,
          health: {
            ...health,
            ready: false,
            components: { redis: { ready: false, detail: 'down' } },
          },
          consumer: consumer('wfm-aggregator', 7, 50.5),
          latencies: { onlineFreshness: { count: 5, p50Ms: 30, p99Ms: 60 } },
        },
        {
          service: 'emitter',
          instance: 'emitter/1',
          startedAtMs: 0,
          atMs: 0,
          intervalMs: 2000,
          health,
          consumer: consumer('wfm-emitter', 1, 10),
        },
      ]),
      0,
    );
    expect(view.consumers).toEqual([
      { group: 'wfm-aggregator', lag: 12, eventsPerSecond: 150.5, instances: 2 },
      { group: 'wfm-emitter', lag: 1, eventsPerSecond: 10, instances: 1 },
    ]);
    expect(view.eventsPerSecond).toBe(150.5);
    expect(view.onlineFreshness).toEqual({ count: 15, p50Ms: 30, p99Ms: 80 });
    expect(view.deadLetters.total).toBe(4);
    expect(view.deadLetters.recent[0]?.kind).toBe('not-json');
    expect(view.services[1]?.problems).toEqual(['redis: down']);
  });
});
