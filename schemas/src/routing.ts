import { definitionOf, type Stream, type WfmEvent } from './events.js';

/** Topic of each stream (defaults in docs/events.md; every name is configurable). */
export interface TopicNames {
  readonly directory: string;
  readonly contacts: string;
  readonly agents: string;
}

export const DEFAULT_TOPICS: TopicNames = {
  directory: 'cc.directory',
  contacts: 'cc.contact-events',
  agents: 'cc.agent-events',
};

export function streamOf(event: WfmEvent): Stream {
  const definition = definitionOf(event.type);
  if (definition === undefined) throw new TypeError(`unknown event type ${event.type}`);
  return definition.stream;
}

/**
 * The Kafka message key. Contact events are keyed by `contactId` and agent events by
 * `agentId`, so every event of one contact (or agent) lands in one partition, in order.
 * Directory events are keyed by kind and id (`group:7`): the directory topic is
 * compacted, and a service and a group may share an id.
 */
export function messageKey(event: WfmEvent): string {
  switch (event.type) {
    case 'service.upserted':
      return `service:${event.serviceId}`;
    case 'group.upserted':
      return `group:${event.groupId}`;
    case 'agent.upserted':
      return `agent:${event.agentId}`;
    case 'contact.offered':
    case 'contact.answered':
    case 'contact.ended':
    case 'contact.wrappedUp':
      return event.contactId;
    case 'agent.loggedIn':
    case 'agent.loggedOut':
    case 'agent.stateChanged':
    case 'agent.directOutContact':
      return event.agentId;
  }
}

export function topicOf(event: WfmEvent, topics: TopicNames): string {
  return topics[streamOf(event)];
}
