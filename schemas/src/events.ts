import { z } from 'zod';

import { field, type FieldSpec, lengthAtMost, MAX_TIMESTAMP_LENGTH, optional } from './fields.js';
import { parseOffsetInstant } from './instant.js';

export const CHANNEL_TYPES = ['CHATS', 'MAILS', 'INCOMING_CALLS', 'OUTGOING_CALLS'] as const;
export const ENTITY_STATUSES = ['ACTIVE', 'INACTIVE'] as const;
export const OUTCOMES = ['HANDLED', 'ABANDONED', 'TRANSFERRED', 'BOT_CLOSED'] as const;
export const STATE_CATEGORIES = ['AVAILABLE', 'BUSY', 'AFTER_CONTACT_WORK', 'NOT_READY'] as const;
export const DIRECT_OUT_KINDS = ['EMAIL', 'PRIVATE_NOTE', 'PUBLIC_NOTE', 'RESOLVE_NOTE'] as const;

/** Which topic family an event travels on, and which of its fields is the message key. */
export type Stream = 'directory' | 'contacts' | 'agents';

export interface EventDefinition<
  Type extends string = string,
  Fields extends Readonly<Record<string, FieldSpec>> = Readonly<Record<string, FieldSpec>>,
> {
  readonly type: Type;
  readonly stream: Stream;
  /** The field whose value keys the Kafka message. */
  readonly keyField: string;
  /** Avro record name. */
  readonly recordName: string;
  readonly doc: string;
  readonly fields: Fields;
}

/** The earliest instant an event may carry: 1970-01-01T00:00:00Z (epoch 0). */
export const MIN_EVENT_MS = 0;
/** The first instant an event may no longer carry: 2100-01-01T00:00:00Z. */
export const MAX_EVENT_MS = Date.UTC(2100, 0, 1);

const occurredAt = z
  .string({ error: 'must be a date-time string' })
  .max(MAX_TIMESTAMP_LENGTH, 'must be at most 64 characters')
  .superRefine((text: string, ctx) => {
    const parsed = parseOffsetInstant(text);
    if (parsed === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an ISO-8601 date-time with an offset, e.g. 2020-01-01T10:15:36+03:00',
      });
    } else if (parsed.ms < MIN_EVENT_MS || parsed.ms >= MAX_EVENT_MS) {
      ctx.addIssue({
        code: 'custom',
        message: 'must lie from 1970-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z',
      });
    }
  });

/** Fields every event carries. */
export const COMMON_FIELDS = {
  eventId: field.id('Unique id of the event; a second event with the same id is a duplicate.'),
  occurredAt: {
    zod: occurredAt,
    accepts: (value: unknown) => {
      if (typeof value !== 'string' || !lengthAtMost(value, MAX_TIMESTAMP_LENGTH)) return false;
      const parsed = parseOffsetInstant(value);
      return parsed !== undefined && parsed.ms >= MIN_EVENT_MS && parsed.ms < MAX_EVENT_MS;
    },
    avro: 'string',
    doc: 'When it happened at the source (event time), ISO-8601 with offset.',
    optional: false,
    kind: { type: 'timestamp' },
  } satisfies FieldSpec,
} as const;

/** The entity an event type is about, the part before the dot: `contact` of `contact.ended`. */
type EntityOf<Type extends string> = Type extends `${infer Entity}.${string}` ? Entity : never;

const capitalized = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * Defines an event type on its stream. What the type's name settles is derived from it: the
 * message key is the id of the entity the event is about (`contactId` for `contact.*`), a
 * field it must have, and the Avro record is the name in PascalCase (`ContactWrappedUp`).
 */
function define<
  const Type extends `${string}.${string}`,
  const Fields extends Record<string, FieldSpec> & Record<`${EntityOf<Type>}Id`, FieldSpec>,
>(
  stream: Stream,
  type: Type,
  { doc, fields }: { readonly doc: string; readonly fields: Fields },
): EventDefinition<Type, Fields> {
  const [entity = '', action = ''] = type.split('.');
  return {
    type,
    stream,
    keyField: `${entity}Id`,
    recordName: capitalized(entity) + capitalized(action),
    doc,
    fields,
  };
}

export const serviceUpserted = define('directory', 'service.upserted', {
  doc: 'A service was created or changed.',
  fields: {
    serviceId: field.id('Service id.'),
    name: field.text('Service name.'),
    status: field.oneOf(ENTITY_STATUSES, 'Service status.'),
  },
});

export const groupUpserted = define('directory', 'group.upserted', {
  doc: 'A group (queue, skill) was created or changed.',
  fields: {
    groupId: field.id('Group id.'),
    serviceId: optional(field.id('Service the group belongs to; absent: the static service.')),
    name: field.text('Group name.'),
    status: field.oneOf(ENTITY_STATUSES, 'Group status.'),
    channelType: optional(field.oneOf(CHANNEL_TYPES, 'Channel of the group.')),
  },
});

export const agentUpserted = define('directory', 'agent.upserted', {
  doc: 'An agent account was created or changed.',
  fields: {
    agentId: field.id('Agent id.'),
    name: field.text('Name, or the account name when names are not split.'),
    surname: optional(field.text('Surname.')),
    secondName: optional(field.text('Middle name.')),
    agentNumber: optional(field.text('Personnel number.')),
    loginSSO: optional(field.text('Login in an SSO system.')),
    groupIds: field.idList('Groups the agent processes.'),
  },
});

export const contactOffered = define('contacts', 'contact.offered', {
  doc: "A contact entered a group's queue (occurredAt = entered the queue).",
  fields: {
    contactId: field.id('Contact id: one customer interaction offered to one group.'),
    groupId: field.id('Group the contact is offered to.'),
    channel: field.oneOf(CHANNEL_TYPES, 'Channel of the contact.'),
    customerId: optional(field.id('Customer or device id, for unique counts.')),
    transferredFromContactId: optional(field.id('The contact this one was transferred from.')),
  },
});

export const contactAnswered = define('contacts', 'contact.answered', {
  doc: 'An agent connected to the contact (occurredAt = connected).',
  fields: {
    contactId: field.id('Contact id.'),
    agentId: field.id('Agent who answered.'),
    ringMs: optional(field.durationMs('Distribution to connection, ms; default 0.')),
  },
});

export const contactEnded = define('contacts', 'contact.ended', {
  doc: 'The contact is over (occurredAt = over).',
  fields: {
    contactId: field.id('Contact id.'),
    outcome: field.oneOf(OUTCOMES, 'How it ended.'),
    talkMs: optional(field.durationMs('Talk time, ms; default 0.')),
    holdMs: optional(field.durationMs('Hold time, ms; default 0.')),
  },
});

export const contactWrappedUp = define('contacts', 'contact.wrappedUp', {
  doc: 'After-contact work is over (occurredAt = over).',
  fields: {
    contactId: field.id('Contact id.'),
    agentId: field.id('Agent who wrapped up.'),
    wrapUpMs: field.durationMs('Wrap-up time, ms.'),
    relaxMs: optional(field.durationMs('Rest time after the contact, ms; default 0.')),
  },
});

export const agentLoggedIn = define('agents', 'agent.loggedIn', {
  doc: 'An agent logged in; without an initial state it is LOGGED_IN / Logged in, NOT_READY.',
  fields: {
    agentId: field.id('Agent id.'),
    stateCode: optional(field.id('Initial state code.')),
    stateName: optional(field.text('Initial state name.')),
    category: optional(field.oneOf(STATE_CATEGORIES, 'Initial state category.')),
  },
});

export const agentLoggedOut = define('agents', 'agent.loggedOut', {
  doc: 'An agent logged out.',
  fields: {
    agentId: field.id('Agent id.'),
  },
});

export const agentStateChanged = define('agents', 'agent.stateChanged', {
  doc: 'An agent entered a state.',
  fields: {
    agentId: field.id('Agent id.'),
    stateCode: field.id('State code.'),
    stateName: field.text('State name.'),
    reasonCode: optional(field.id('Reason code, when the state has reasons.')),
    reasonName: optional(field.text('Reason name.')),
    category: field.oneOf(STATE_CATEGORIES, 'What the state means for load figures.'),
    groupId: optional(field.id('Group the state was set in.')),
    serviceId: optional(field.id('Service the state was set in.')),
  },
});

export const agentDirectOutContact = define('agents', 'agent.directOutContact', {
  doc: 'An agent sent an outgoing direct (not routed) contact.',
  fields: {
    agentId: field.id('Agent id.'),
    kind: field.oneOf(DIRECT_OUT_KINDS, 'What was sent.'),
    groupId: optional(field.id('Group it was sent in.')),
  },
});

/** Every event type, in documentation order. */
export const EVENT_DEFINITIONS = [
  serviceUpserted,
  groupUpserted,
  agentUpserted,
  contactOffered,
  contactAnswered,
  contactEnded,
  contactWrappedUp,
  agentLoggedIn,
  agentLoggedOut,
  agentStateChanged,
  agentDirectOutContact,
] as const;

type Definitions = (typeof EVENT_DEFINITIONS)[number];
export type EventType = Definitions['type'];

type ZodShape<Fields extends Record<string, FieldSpec>> = {
  [K in keyof Fields]: Fields[K]['zod'];
};

function objectSchema<D extends EventDefinition>(definition: D) {
  const shape: Record<string, z.ZodType> = {
    eventId: COMMON_FIELDS.eventId.zod,
    type: z.literal(definition.type),
    occurredAt: COMMON_FIELDS.occurredAt.zod,
  };
  for (const [name, spec] of Object.entries(definition.fields)) shape[name] = spec.zod;
  return z.object(shape) as unknown as z.ZodObject<
    {
      eventId: z.ZodString;
      type: z.ZodLiteral<D['type']>;
      occurredAt: z.ZodString;
    } & ZodShape<D['fields']>
  >;
}

export const eventSchemas = {
  'service.upserted': objectSchema(serviceUpserted),
  'group.upserted': objectSchema(groupUpserted),
  'agent.upserted': objectSchema(agentUpserted),
  'contact.offered': objectSchema(contactOffered),
  'contact.answered': objectSchema(contactAnswered),
  'contact.ended': objectSchema(contactEnded),
  'contact.wrappedUp': objectSchema(contactWrappedUp),
  'agent.loggedIn': objectSchema(agentLoggedIn),
  'agent.loggedOut': objectSchema(agentLoggedOut),
  'agent.stateChanged': objectSchema(agentStateChanged),
  'agent.directOutContact': objectSchema(agentDirectOutContact),
} as const satisfies Record<EventType, z.ZodType>;

export type EventOf<T extends EventType> = z.output<(typeof eventSchemas)[T]>;

export type ServiceUpserted = EventOf<'service.upserted'>;
export type GroupUpserted = EventOf<'group.upserted'>;
export type AgentUpserted = EventOf<'agent.upserted'>;
export type ContactOffered = EventOf<'contact.offered'>;
export type ContactAnswered = EventOf<'contact.answered'>;
export type ContactEnded = EventOf<'contact.ended'>;
export type ContactWrappedUp = EventOf<'contact.wrappedUp'>;
export type AgentLoggedIn = EventOf<'agent.loggedIn'>;
export type AgentLoggedOut = EventOf<'agent.loggedOut'>;
export type AgentStateChanged = EventOf<'agent.stateChanged'>;
export type AgentDirectOutContact = EventOf<'agent.directOutContact'>;

export type DirectoryEvent = ServiceUpserted | GroupUpserted | AgentUpserted;
export type ContactEvent = ContactOffered | ContactAnswered | ContactEnded | ContactWrappedUp;
export type AgentEvent = AgentLoggedIn | AgentLoggedOut | AgentStateChanged | AgentDirectOutContact;
export type WfmEvent = DirectoryEvent | ContactEvent | AgentEvent;

export const eventSchema = z.discriminatedUnion('type', [
  eventSchemas['service.upserted'],
  eventSchemas['group.upserted'],
  eventSchemas['agent.upserted'],
  eventSchemas['contact.offered'],
  eventSchemas['contact.answered'],
  eventSchemas['contact.ended'],
  eventSchemas['contact.wrappedUp'],
  eventSchemas['agent.loggedIn'],
  eventSchemas['agent.loggedOut'],
  eventSchemas['agent.stateChanged'],
  eventSchemas['agent.directOutContact'],
]);

const definitionsByType = new Map<string, EventDefinition>(
  EVENT_DEFINITIONS.map((definition): [string, EventDefinition] => [definition.type, definition]),
);

export function definitionOf(type: string): EventDefinition | undefined {
  return definitionsByType.get(type);
}

export function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && definitionsByType.has(type);
}
