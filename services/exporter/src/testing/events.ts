import type { TimeZone } from '@wfm-stream/core';
import type { AgentEvent, ContactEvent, DirectoryEvent, WfmEvent } from '@wfm-stream/schemas';
import { ContactCenterSimulation, DEFAULT_SIMULATOR_OPTIONS } from '@wfm-stream/simulator';
import {
  AgentAggregation,
  ContactAggregation,
  DirectoryStore,
  type Keys,
  type RedisClient,
} from '@wfm-stream/store';

const DAY_S = 86_400;

/** A simulated contact center from `startMs` to `endMs`: its directory, then its events. */
export function simulate(
  zone: TimeZone,
  startMs: number,
  endMs: number,
  overrides: { seed?: number; agents?: number; contactsPerHour?: number } = {},
): WfmEvent[] {
  const sim = new ContactCenterSimulation({
    ...DEFAULT_SIMULATOR_OPTIONS,
    ...overrides,
    startMs,
    zone,
  });
  return [...sim.directory(), ...sim.advance(endMs)];
}

function isDirectory(e: WfmEvent): e is DirectoryEvent {
  return (
    e.type === 'service.upserted' || e.type === 'group.upserted' || e.type === 'agent.upserted'
  );
}

function isContact(e: WfmEvent): e is ContactEvent {
  return e.type.startsWith('contact.');
}

function isAgent(e: WfmEvent): e is AgentEvent {
  return e.type.startsWith('agent.') && e.type !== 'agent.upserted';
}

/**
 * Applies events to Redis the way the aggregator does (services/aggregator handler.ts):
 * per stream, in batches, through the store's aggregations.
 */
export async function applyEvents(
  redis: RedisClient,
  keys: Keys,
  zone: TimeZone,
  events: readonly WfmEvent[],
  batchSize = 500,
): Promise<void> {
  const retentionSeconds = 400 * DAY_S;
  const contacts = new ContactAggregation(redis, keys, {
    zone,
    serviceLevelMs: () => 20_000,
    stateTtlSeconds: 30 * DAY_S,
    retentionSeconds,
  });
  const agents = new AgentAggregation(redis, keys, {
    dedupeWindowMs: 7 * DAY_S * 1000,
    retentionSeconds,
  });
  const directory = new DirectoryStore(redis, keys, retentionSeconds);
  const streams = {
    directory: events.filter(isDirectory),
    contacts: events.filter(isContact),
    agents: events.filter(isAgent),
  };
  for (let i = 0; i < streams.directory.length; i += batchSize)
    await directory.apply(streams.directory.slice(i, i + batchSize));
  for (let i = 0; i < streams.contacts.length; i += batchSize)
    await contacts.apply(streams.contacts.slice(i, i + batchSize));
  for (let i = 0; i < streams.agents.length; i += batchSize)
    await agents.apply(streams.agents.slice(i, i + batchSize));
}
