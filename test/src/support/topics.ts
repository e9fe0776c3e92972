import { createTopics, testStack, type TestStackInfo, uniqueName } from '@wfm-stream/testing';
import type { Kafka } from 'kafkajs';

import { publishEvents } from './publish.js';
import type { Traffic } from './traffic.js';

/** The topics of one deployment, as the services read them from the environment. */
export interface StreamTopics {
  readonly TOPIC_DIRECTORY: string;
  readonly TOPIC_CONTACT_EVENTS: string;
  readonly TOPIC_AGENT_EVENTS: string;
  readonly TOPIC_DEAD_LETTER: string;
}

/** Topic names no other test uses. */
export function uniqueTopics(): StreamTopics {
  return {
    TOPIC_DIRECTORY: uniqueName('directory'),
    TOPIC_CONTACT_EVENTS: uniqueName('contacts'),
    TOPIC_AGENT_EVENTS: uniqueName('agents'),
    TOPIC_DEAD_LETTER: uniqueName('dlq'),
  };
}

/** The exporter's topics: its job queue and its dead letters. */
export interface ExportTopics {
  readonly TOPIC_EXPORT_JOBS: string;
  readonly TOPIC_EXPORT_DEAD_LETTER: string;
}

/** Stream and export topic names no other test uses. */
export function uniqueTopicsWithExports(): StreamTopics & ExportTopics {
  return {
    ...uniqueTopics(),
    TOPIC_EXPORT_JOBS: uniqueName('export-jobs'),
    TOPIC_EXPORT_DEAD_LETTER: uniqueName('export-dlq'),
  };
}

/** Creates the export topics on `stack`: the jobs on `jobs` partitions, the dead letters on one. */
export async function createExportTopics(
  topics: ExportTopics,
  jobs: number,
  stack: TestStackInfo = testStack(),
): Promise<void> {
  await createTopics(
    [
      { name: topics.TOPIC_EXPORT_JOBS, partitions: jobs },
      { name: topics.TOPIC_EXPORT_DEAD_LETTER, partitions: 1 },
    ],
    stack,
  );
}

/** The streams an aggregator consumes, the directory first. */
export function streamsOf(topics: StreamTopics): string[] {
  return [topics.TOPIC_DIRECTORY, topics.TOPIC_CONTACT_EVENTS, topics.TOPIC_AGENT_EVENTS];
}

/** How many partitions the event topics get, and any topic settings of theirs. */
export interface StreamLayout {
  readonly contacts: number;
  readonly agents: number;
  /** Settings of the contact and agent topics (`retention.ms`, say). */
  readonly eventConfig?: Readonly<Record<string, string>>;
}

/** Creates the topics on `stack`: the directory and the dead letters on one partition each. */
export async function createStreamTopics(
  topics: StreamTopics,
  layout: StreamLayout,
  stack: TestStackInfo = testStack(),
): Promise<void> {
  const config = layout.eventConfig === undefined ? {} : { config: layout.eventConfig };
  await createTopics(
    [
      { name: topics.TOPIC_DIRECTORY, partitions: 1 },
      { name: topics.TOPIC_CONTACT_EVENTS, partitions: layout.contacts, ...config },
      { name: topics.TOPIC_AGENT_EVENTS, partitions: layout.agents, ...config },
      { name: topics.TOPIC_DEAD_LETTER, partitions: 1 },
    ],
    stack,
  );
}

/** Publishes the traffic's directory, contact and agent events, each to its topic. */
export async function publishTraffic(
  kafka: Kafka,
  topics: StreamTopics,
  traffic: Pick<Traffic, 'directory' | 'contacts' | 'agents'>,
): Promise<void> {
  await publishEvents(kafka, topics.TOPIC_DIRECTORY, traffic.directory);
  await publishEvents(kafka, topics.TOPIC_CONTACT_EVENTS, traffic.contacts);
  await publishEvents(kafka, topics.TOPIC_AGENT_EVENTS, traffic.agents);
}
