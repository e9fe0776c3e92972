import type { Kafka } from 'kafkajs';

import { publishEvents } from '../../support/publish.js';
import type { Traffic } from '../../support/traffic.js';
import { TOPICS } from './topics.js';

/** Publishes the traffic stream by stream (directory, contacts, agents) to the pipeline's topics. */
export async function publishTraffic(kafka: Kafka, traffic: Traffic): Promise<void> {
  await publishEvents(kafka, TOPICS.directory, traffic.directory);
  await publishEvents(kafka, TOPICS.contacts, traffic.contacts);
  await publishEvents(kafka, TOPICS.agents, traffic.agents);
}
