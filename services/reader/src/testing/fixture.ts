import { loadConfig } from '@wfm-stream/config';
import { TimeZone } from '@wfm-stream/core';
import type { AgentEvent, ContactEvent, DirectoryEvent } from '@wfm-stream/schemas';
import {
  AgentAggregation,
  ContactAggregation,
  DirectoryStore,
  Keys,
  type RedisClient,
} from '@wfm-stream/store';
import { redisEnv } from '@wfm-stream/testing';

import { type ReaderConfig, readerConfigSchema } from '../config.js';

/**
 * A reader configuration for tests: the run's Redis under `keyPrefix`, an ephemeral port
 * on loopback, silent logs; `env` adds to it or overrides it.
 */
export function readerTestConfig(keyPrefix: string, env: Record<string, string>): ReaderConfig {
  return loadConfig(readerConfigSchema, {
    // the run's Redis: its cluster's nodes, credentials and CA under TEST_REDIS=cluster
    ...redisEnv(),
    REDIS_KEY_PREFIX: keyPrefix,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/** The instant `time` (hh:mm:ss) of the specs' fixture day, 2020-01-01 in UTC. */
export const at = (time: string): string => `2020-01-01T${time}Z`;

type ContactFields<T extends ContactEvent['type']> = Omit<
  Extract<ContactEvent, { type: T }>,
  'eventId' | 'type' | 'occurredAt' | 'contactId'
>;

/**
 * The contact events of the specs' fixtures, each event id the contact's with `-o`, `-a`
 * or `-e`; `handled` is the three of a contact `agent` handled in `group`.
 */
export const contact = {
  offered: (
    id: string,
    occurredAt: string,
    groupId: string,
    channel: 'INCOMING_CALLS' | 'CHATS' = 'INCOMING_CALLS',
  ): ContactEvent => ({
    eventId: `${id}-o`,
    type: 'contact.offered',
    occurredAt,
    contactId: id,
    groupId,
    channel,
  }),
  answered: (
    id: string,
    occurredAt: string,
    fields: ContactFields<'contact.answered'>,
  ): ContactEvent => ({
    eventId: `${id}-a`,
    type: 'contact.answered',
    occurredAt,
    contactId: id,
    ...fields,
  }),
  ended: (
    id: string,
    occurredAt: string,
    fields: ContactFields<'contact.ended'>,
  ): ContactEvent => ({
    eventId: `${id}-e`,
    type: 'contact.ended',
    occurredAt,
    contactId: id,
    ...fields,
  }),
  handled: (
    id: string,
    group: string,
    agent: string,
    [offered, answered, ended]: readonly [string, string, string],
    channel: 'INCOMING_CALLS' | 'CHATS' = 'INCOMING_CALLS',
  ): ContactEvent[] => [
    contact.offered(id, offered, group, channel),
    contact.answered(id, answered, { agentId: agent }),
    contact.ended(id, ended, { outcome: 'HANDLED' }),
  ],
};

/**
 * Writes a fixture's events into generation g0 of `keyPrefix` as the aggregator would:
 * UTC, a day's retention and dedupe window, a 20 s service level.
 */
export async function writeFixture(
  redis: RedisClient,
  keyPrefix: string,
  events: {
    readonly directory: readonly DirectoryEvent[];
    readonly agents: readonly AgentEvent[];
    readonly contacts: readonly ContactEvent[];
  },
): Promise<void> {
  const keys = new Keys(`${keyPrefix}:g0`);
  await new DirectoryStore(redis, keys, 86_400).apply(events.directory);
  await new AgentAggregation(redis, keys, {
    dedupeWindowMs: 86_400_000,
    retentionSeconds: 86_400,
  }).apply(events.agents);
  await new ContactAggregation(redis, keys, {
    zone: TimeZone.UTC,
    serviceLevelMs: () => 20_000,
    stateTtlSeconds: 3_600,
    retentionSeconds: 86_400,
  }).apply(events.contacts);
}

type Fields<T extends DirectoryEvent['type']> = Omit<
  Extract<DirectoryEvent, { type: T }>,
  'eventId' | 'type' | 'occurredAt'
>;

/** The directory events of the specs' fixtures: a service or group is ACTIVE unless told. */
export const dir = {
  service: (
    eventId: string,
    occurredAt: string,
    serviceId: string,
    name: string,
  ): DirectoryEvent => ({
    eventId,
    type: 'service.upserted',
    occurredAt,
    serviceId,
    name,
    status: 'ACTIVE',
  }),
  group: (
    eventId: string,
    occurredAt: string,
    groupId: string,
    name: string,
    fields: Partial<Fields<'group.upserted'>> = {},
  ): DirectoryEvent => ({
    eventId,
    type: 'group.upserted',
    occurredAt,
    groupId,
    name,
    status: 'ACTIVE',
    ...fields,
  }),
  agent: (
    eventId: string,
    occurredAt: string,
    agentId: string,
    fields: Omit<Fields<'agent.upserted'>, 'agentId'>,
  ): DirectoryEvent => ({ eventId, type: 'agent.upserted', occurredAt, agentId, ...fields }),
};

/** The two states the specs' agents are in: working on a contact, on a technical break. */
export const state = {
  working: (
    eventId: string,
    occurredAt: string,
    agentId: string,
    groupId?: string,
  ): AgentEvent => ({
    eventId,
    type: 'agent.stateChanged',
    occurredAt,
    agentId,
    stateCode: 'Work',
    stateName: 'Contact processing',
    category: 'BUSY',
    ...(groupId === undefined ? {} : { groupId }),
  }),
  onTechnicalBreak: (eventId: string, occurredAt: string, agentId: string): AgentEvent => ({
    eventId,
    type: 'agent.stateChanged',
    occurredAt,
    agentId,
    stateCode: 'Break',
    stateName: 'Break',
    reasonCode: 'Tech',
    reasonName: 'Technical break',
    category: 'NOT_READY',
  }),
};
