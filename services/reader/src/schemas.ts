/**
 * The JSON Schemas of every answer the reader sends, in one place (docs/api.md defines each
 * field). Fastify compiles them into the routes' serialisers (`schema.response`), and
 * /openapi.json is generated from the same objects (openapi.ts), so what is documented
 * is what is sent. Fields are written in the order of `properties`: the required ones
 * first, then the optional ones present.
 * A field the reader always sends is `required`; optional fields are left out, never
 * null (docs/api.md, "Conventions").
 */

type Schema = Record<string, unknown>;

const dateTime = (description?: string): Schema => ({
  type: 'string',
  format: 'date-time',
  ...(description === undefined ? {} : { description }),
});
const text = (description?: string): Schema => ({
  type: 'string',
  ...(description === undefined ? {} : { description }),
});
const int64 = (description?: string): Schema => ({
  type: 'integer',
  format: 'int64',
  ...(description === undefined ? {} : { description }),
});
const ms = (description: string): Schema => ({ ...int64(description), minimum: 0 });
const arrayOf = (items: Schema): Schema => ({ type: 'array', items });

/**
 * An object whose fields are all sent but the `optional` ones. fast-json-stringify writes
 * the required fields first, so `properties` is put in that order too: the document
 * lists fields in the order of the wire.
 */
function object(properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  const names = Object.keys(properties);
  const required = names.filter((name) => !optional.includes(name));
  const ordered = [...required, ...names.filter((name) => optional.includes(name))];
  return {
    type: 'object',
    required,
    properties: Object.fromEntries(ordered.map((name) => [name, properties[name]])),
  };
}

/** Every error the API itself writes (docs/api.md, "Errors"). */
export const ERROR_SCHEMA = object({
  field: text('The request parameter at fault; empty when none is.'),
  message: text('Short error text.'),
  description: text('What went wrong and what to do about it.'),
});

/**
 * What Fastify answers by itself (not in the error shape) to a request arriving while
 * the reader shuts down (docs/api.md, "Errors").
 */
export const SHUTTING_DOWN_SCHEMA = object({
  error: { type: 'string', const: 'Service Unavailable' },
  message: text(),
  statusCode: { type: 'integer', const: 503 },
});

/** /healthz and /readyz: each component `ok` or `failing`, nothing more. */
export const HEALTH_SCHEMA = object(
  {
    live: { type: 'boolean' },
    ready: { type: 'boolean' },
    components: {
      type: 'object',
      additionalProperties: { type: 'string', enum: ['ok', 'failing'] },
    },
    warnings: { type: 'array', items: { type: 'string', enum: ['data-gap'] } },
  },
  ['warnings'],
);

const status = { type: 'string', enum: ['ACTIVE', 'INACTIVE'] } as const;

export const PERSONNEL_SCHEMA = object({
  services: arrayOf(
    object({
      id: text(),
      name: text(),
      status,
      serviceGroups: arrayOf(
        object(
          {
            id: text(),
            name: text(),
            status,
            channelType: {
              type: 'string',
              enum: ['CHATS', 'MAILS', 'INCOMING_CALLS', 'OUTGOING_CALLS'],
            },
          },
          ['channelType'],
        ),
      ),
    }),
  ),
  agents: arrayOf(
    object(
      {
        id: text(),
        name: text(),
        surname: text(),
        secondName: text(),
        agentNumber: text(),
        loginSSO: text(),
        agentGroups: arrayOf(object({ groupId: text() })),
      },
      ['surname', 'secondName', 'agentNumber', 'loginSSO'],
    ),
  ),
});

const count = (description: string): Schema => ({ ...int64(description), minimum: 0 });

export const SERVICE_GROUP_DATA_SCHEMA = arrayOf(
  object({
    serviceId: text(),
    groupId: text(),
    historicData: arrayOf(
      object({
        startInterval: dateTime(),
        endInterval: dateTime(),
        notUniqueReceived: count('Contacts offered in the interval.'),
        notUniqueTreated: count('Of those, HANDLED or TRANSFERRED.'),
        notUniqueMissed: count('Of those, ABANDONED.'),
        receivedCalls: count('Unique contacts offered.'),
        treatedCalls: count('Unique and treated.'),
        missCalls: count('Unique and missed.'),
        aht: ms('Σ(ring+talk+hold) of the treated ÷ notUniqueTreated, ms; 0 when none treated.'),
        postProcessing: ms(
          'Σ(wrap-up+relax) of the treated ÷ notUniqueTreated, ms; 0 when none treated.',
        ),
      }),
    ),
  }),
);

const state = object({
  startDate: dateTime(),
  endDate: dateTime(),
  stateCode: text('With a reason: stateCode:reasonCode.'),
  stateName: text('With a reason: stateName / reasonName.'),
});

export const AGENT_STATUS_DATA_SCHEMA = arrayOf(
  object(
    {
      serviceId: text('Left out, with groupId, for a state without a group (see the description).'),
      groupId: text(),
      agentId: text(),
      states: arrayOf(state),
    },
    ['serviceId', 'groupId'],
  ),
);

export const AGENT_LOGIN_DATA_SCHEMA = arrayOf(
  object({
    agentId: text(),
    logins: arrayOf(
      object({
        loginDate: dateTime(),
        logoutDate: dateTime(),
        duration: ms('logoutDate − loginDate, ms.'),
      }),
    ),
  }),
);

export const AGENT_CALLS_DATA_SCHEMA = arrayOf(
  object({
    agentId: text(),
    serviceId: text(),
    groupId: text(),
    agentCalls: arrayOf(
      object({
        startCall: dateTime('When the agent answered.'),
        endCall: dateTime('When the contact ended.'),
        duration: ms('endCall − startCall, ms.'),
      }),
    ),
  }),
);

export const AGENT_CHATS_WORK_TIME_SCHEMA = arrayOf(
  object({
    agentId: text(),
    workDate: {
      type: 'string',
      format: 'date',
      description: 'YYYY-MM-DD in the offset of startDate.',
    },
    workTime: ms('ms of the day in which the agent handled at least one chat.'),
  }),
);

export const AGENT_STATUS_SCHEMA = arrayOf(
  object({
    agentId: text(),
    stateCode: text(),
    stateName: text(),
    startDate: dateTime('When the current state started, in UTC.'),
  }),
);

/** One row of groupsOnlineLoad (also the live stream's rows of that topic). */
export const GROUPS_ONLINE_LOAD_SCHEMA = arrayOf(
  object(
    {
      serviceId: text(),
      groupId: text(),
      callNumber: count('Contacts waiting in queue now, whatever the day they were offered.'),
      operatorNumber: count(
        "Logged-in agents of the group (by the directory's agent groups) in AVAILABLE, BUSY or AFTER_CONTACT_WORK.",
      ),
      callReceived: count('Contacts offered today.'),
      aht: ms(
        'Σ(ring+talk+hold) ÷ count of contacts that ended treated today, ms; left out when none did.',
      ),
      acd: {
        type: 'number',
        format: 'double',
        minimum: 0,
        description:
          'callAnswered ÷ callReceived × 100, 4 decimals; left out while callReceived is 0. May exceed 100 just after midnight.',
      },
      awt: ms(
        'Mean wait of contacts that left the queue today (answered, or abandoned unanswered), ms; left out when none did.',
      ),
      callAnswered: count('Contacts answered today.'),
      callAnsweredTst: count("Of those, answered within the group's service-level target."),
      callProcessing: count('Contacts answered and not yet ended.'),
    },
    ['aht', 'acd', 'awt'],
  ),
);

const quantiles = object(
  { count: count('Samples.'), p50Ms: { type: 'number' }, p99Ms: { type: 'number' } },
  ['p50Ms', 'p99Ms'],
);

/** GET /status/pipeline, as the dashboard's Pipeline view (docs/dashboard.md). */
export const PIPELINE_SCHEMA = object(
  {
    at: int64('When the view was computed, epoch ms.'),
    services: arrayOf(
      object({
        service: text(),
        instance: text(),
        live: { type: 'boolean' },
        ready: { type: 'boolean' },
        startedAt: dateTime(),
        reportedAt: dateTime(),
        problems: arrayOf(text()),
      }),
    ),
    consumers: arrayOf(
      object({
        group: text(),
        lag: count('Records left after the last batch, summed over the instances.'),
        eventsPerSecond: { type: 'number', minimum: 0 },
        instances: count('Instances reporting.'),
      }),
    ),
    eventsPerSecond: {
      type: 'number',
      minimum: 0,
      description: 'Valid events per second into the aggregators.',
    },
    deadLetters: object({
      total: count('Dead letters ever, all consumer groups.'),
      byGroup: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
      recent: arrayOf(
        object({ at: dateTime(), group: text(), topic: text(), kind: text(), reason: text() }),
      ),
    }),
    statusPush: quantiles,
    onlineFreshness: quantiles,
    streamClients: count('Clients of the live stream.'),
  },
  ['statusPush', 'onlineFreshness'],
);

/** GET /status/exports, as the dashboard's Exports view. */
export const EXPORTS_SCHEMA = arrayOf(
  object(
    {
      target: text(),
      lastDeliveredEnd: dateTime('End of the latest interval delivered.'),
      queued: count('Jobs the workers have fetched and not finished.'),
      retrying: object({ attempt: count('Attempts so far.'), reason: text(), since: dateTime() }),
      parked: count('Jobs parked on the dead-letter topic, ever.'),
      lastFailure: object({ at: dateTime(), reason: text(), parked: { type: 'boolean' } }),
      instances: count('Exporter instances reporting this target now.'),
    },
    ['lastDeliveredEnd', 'retrying', 'lastFailure'],
  ),
);
