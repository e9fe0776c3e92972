import { checkKafkaSettings, ConfigError, loadConfig } from '@wfm-stream/config';
import { exportQueueSettings } from '@wfm-stream/export';
import { createKafka } from '@wfm-stream/kafka';
import { createLogger } from '@wfm-stream/observability';
import {
  checkTopicLayout,
  describePlanItem,
  type EnsureResult,
  ensureTopics,
  pipelineTopics,
  topicLayoutSettings,
  type TopicSpec,
} from '@wfm-stream/topics';
import { z } from 'zod';

import { KAFKA_ADDRESS, loadCommandConfig, publishingSettings } from '../connection.js';

const topicsConfigSchema = z
  .object({
    ...publishingSettings,
    TOPIC_EXPORT_JOBS: exportQueueSettings.TOPIC_EXPORT_JOBS,
    TOPIC_EXPORT_DEAD_LETTER: exportQueueSettings.TOPIC_EXPORT_DEAD_LETTER,
    ...topicLayoutSettings,
  })
  .superRefine(checkKafkaSettings)
  .superRefine(checkTopicLayout);
export type TopicsConfig = z.output<typeof topicsConfigSchema>;

/** Every topic of the pipeline, as the settings describe it. */
export function configuredTopics(config: TopicsConfig): TopicSpec[] {
  return pipelineTopics(
    {
      directory: config.TOPIC_DIRECTORY,
      contacts: config.TOPIC_CONTACT_EVENTS,
      agents: config.TOPIC_AGENT_EVENTS,
      deadLetter: config.TOPIC_DEAD_LETTER,
      exportJobs: config.TOPIC_EXPORT_JOBS,
      exportDeadLetter: config.TOPIC_EXPORT_DEAD_LETTER,
    },
    config,
  );
}

export function loadTopicsConfig(env: NodeJS.ProcessEnv): TopicsConfig {
  return loadConfig(topicsConfigSchema, env);
}

/** Connects, ensures the pipeline's topics, disconnects. */
export async function ensurePipelineTopics(
  config: TopicsConfig,
  options: { dryRun?: boolean; allowPartitionIncrease?: boolean } = {},
): Promise<EnsureResult> {
  const kafka = createKafka(
    { ...config, KAFKA_CLIENT_ID: `${config.KAFKA_CLIENT_ID}-topics` },
    createLogger('topics', 'fatal'),
  );
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, configuredTopics(config), options);
  } finally {
    await admin.disconnect();
  }
}

export interface TopicsOptions {
  /** Print the plan, change nothing. */
  readonly dryRun: boolean;
  readonly allowPartitionIncrease: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * `wfm-stream topics ensure`: the one way the pipeline's topics are created, in production
 * and by the local stack. Exit code 0 when every topic is as configured, 1 when a
 * difference was left for an operator, 2 for a usage or configuration error, 3 when
 * Kafka fails.
 */
export async function runTopics(options: TopicsOptions): Promise<number> {
  const { stdout, stderr } = options;
  let config: TopicsConfig;
  try {
    config = loadCommandConfig(topicsConfigSchema, options.env, [KAFKA_ADDRESS]).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`${error.message}\n`);
    return 2;
  }
  let result: EnsureResult;
  try {
    result = await ensurePipelineTopics(config, {
      dryRun: options.dryRun,
      allowPartitionIncrease: options.allowPartitionIncrease,
    });
  } catch (error) {
    stderr.write(
      `topics ensure failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 3;
  }
  const done = !options.dryRun;
  for (const item of result.items)
    for (const line of describePlanItem(item, done)) stdout.write(`${line}\n`);
  if (!result.ok) {
    stderr.write('some topics differ from the settings in ways this tool does not change\n');
    return 1;
  }
  return 0;
}
