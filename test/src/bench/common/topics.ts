import type { TopicNames } from '@wfm-stream/schemas';

import type { BenchTopic } from '../stack.js';

/** The topics every benchmark's pipeline uses: the services' default names. */
export const TOPICS = {
  directory: 'cc.directory',
  contacts: 'cc.contact-events',
  agents: 'cc.agent-events',
  deadLetter: 'cc.dead-letter',
} as const satisfies TopicNames & { deadLetter: string };

/** The three event streams' topics, directory first. */
export const STREAM_TOPICS: readonly string[] = [TOPICS.directory, TOPICS.contacts, TOPICS.agents];

/** The same topics as the services' settings name them (docs/configuration.md). */
export const TOPIC_SETTINGS = {
  TOPIC_DIRECTORY: TOPICS.directory,
  TOPIC_CONTACT_EVENTS: TOPICS.contacts,
  TOPIC_AGENT_EVENTS: TOPICS.agents,
  TOPIC_DEAD_LETTER: TOPICS.deadLetter,
};

/**
 * The pipeline's topics for startBenchStack: the directory on one partition, contacts and
 * agents on `partitions` each, and (unless left out) the dead-letter topic on one.
 */
export function pipelineTopics(partitions: number, deadLetter = true): BenchTopic[] {
  return [
    { name: TOPICS.directory, partitions: 1 },
    { name: TOPICS.contacts, partitions },
    { name: TOPICS.agents, partitions },
    ...(deadLetter ? [{ name: TOPICS.deadLetter, partitions: 1 }] : []),
  ];
}
