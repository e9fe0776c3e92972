import {
  ALONGSIDE_OTHER_PROBLEMS,
  checkKafkaSettings,
  checkRedisSettings,
  eventConsumerServiceSettings,
  hasCredentials,
  setting,
} from '@wfm-stream/config';
import { z } from 'zod';

export const emitterConfigSchema = z
  .object({
    ...eventConsumerServiceSettings,
    HTTP_PORT: setting.port(9465),
    CONSUMER_GROUP: setting.string('wfm-emitter'),
    /** The WFM's status endpoint (docs/api.md), e.g. http://wfm:8080/ccwfm/api/rest/status. */
    WFM_STATUS_URL: setting.url(),
    /** HTTP basic credentials for the WFM, when it asks for them. */
    WFM_STATUS_USERNAME: setting.optionalString(),
    WFM_STATUS_PASSWORD: setting.optionalString(),
    /** A bearer token for the WFM, instead of basic credentials. */
    WFM_STATUS_TOKEN: setting.optionalString(),
    /** How long one POST may take before it counts as a connection failure. */
    PUSH_TIMEOUT: setting.duration('2s'),
    /**
     * How long a push that cannot reach the WFM is retried before it is dropped (and
     * counted): a WFM down for minutes gets every push afterwards, in order per agent.
     */
    PUSH_GIVE_UP_AFTER: setting.duration('10m'),
    /** First retry delay; each next one doubles, up to PUSH_RETRY_BACKOFF_MAX. */
    PUSH_RETRY_BACKOFF: setting.duration('200ms'),
    PUSH_RETRY_BACKOFF_MAX: setting.duration('5s'),
    /** Keep-alive connections to the WFM. */
    PUSH_MAX_CONNECTIONS: setting.int(16, 1, 1024),
    /**
     * Status changes waiting in the outbox (all emitters together) beyond which new ones
     * are not pushed (and counted).
     */
    PUSH_MAX_PENDING: setting.int(100_000, 1, 10_000_000),
    /**
     * How long an emitter's hold on an agent's outbox lasts unrenewed: a SIGKILLed emitter's
     * pushes wait this long before another emitter delivers them. More than twice
     * PUSH_TIMEOUT (a push is attempted only while the lease covers the attempt).
     */
    PUSH_LEASE: setting.duration('10s'),
    /**
     * Where a new consumer group starts: \`latest\` (a fresh deployment does not replay the
     * topic's history to the WFM) or \`earliest\`.
     */
    EMITTER_START_FROM: setting.oneOf(['latest', 'earliest'], 'latest'),
    /**
     * Every partition an instance holds at once (12: the topic layout's default), so a push
     * never waits for another partition's batch: measured on Kafka, push p99 136 ms with
     * all partitions concurrent, 227 ms with 4 and 320 ms with 1 (README, benchmarks).
     */
    PARTITIONS_CONSUMED_CONCURRENTLY: setting.int(12, 1, 64),
    /** Longest a fetch waits on a quiet topic; bounds push latency. */
    FETCH_MAX_WAIT: setting.duration('20ms'),
    CONSUMER_SESSION_TIMEOUT: setting.duration('30s'),
  })
  .superRefine(checkKafkaSettings)
  .superRefine(checkRedisSettings, ALONGSIDE_OTHER_PROBLEMS)
  .superRefine((config, ctx) => {
    if ((config.WFM_STATUS_USERNAME === undefined) !== (config.WFM_STATUS_PASSWORD === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['WFM_STATUS_PASSWORD'],
        message: 'WFM_STATUS_USERNAME and WFM_STATUS_PASSWORD go together',
      });
    }
    if (
      hasCredentials(config.WFM_STATUS_URL) &&
      (config.WFM_STATUS_USERNAME !== undefined || config.WFM_STATUS_TOKEN !== undefined)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['WFM_STATUS_URL'],
        message:
          'carries credentials: give them in the URL or in WFM_STATUS_USERNAME/PASSWORD/TOKEN, not both',
      });
    }
    if (config.PUSH_LEASE <= 2 * config.PUSH_TIMEOUT) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUSH_LEASE'],
        message: 'must be more than twice PUSH_TIMEOUT',
      });
    }
    if (config.WFM_STATUS_TOKEN !== undefined && config.WFM_STATUS_USERNAME !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['WFM_STATUS_TOKEN'],
        message: 'give either WFM_STATUS_TOKEN or WFM_STATUS_USERNAME/PASSWORD, not both',
      });
    }
  });

export type EmitterConfig = z.output<typeof emitterConfigSchema>;
