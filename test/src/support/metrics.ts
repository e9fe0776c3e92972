import type { Admin } from 'kafkajs';

/**
 * A counter or gauge of a service's Prometheus `/metrics`, summed by the value of one label
 * (samples without that label count under ''). Absent metric: an empty map.
 */
export async function metricByLabel(
  baseUrl: string,
  name: string,
  label = 'topic',
): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const byLabel = new Map<string, number>();
  const labelled = new RegExp(`${label}="([^"]*)"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const key = labelled.exec(line)?.[1] ?? '';
    byLabel.set(key, (byLabel.get(key) ?? 0) + Number(line.split(' ').at(-1)));
  }
  return byLabel;
}

export const sumOf = (values: ReadonlyMap<string, number>): number =>
  [...values.values()].reduce((a, b) => a + b, 0);

/** A metric of the service summed over all its samples, 0 when absent. */
export async function metricTotal(baseUrl: string, name: string): Promise<number> {
  return sumOf(await metricByLabel(baseUrl, name));
}

/** Per topic: the group's committed offsets, summed over partitions (0 where none). */
export async function committedByTopic(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Map<string, number>> {
  const offsets = await admin.fetchOffsets({ groupId, topics: [...topics] });
  return new Map(
    offsets.map((t) => [
      t.topic,
      t.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0),
    ]),
  );
}

/** Per topic: the high-water marks, summed over partitions. */
export async function endsByTopic(
  admin: Admin,
  topics: readonly string[],
): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends.set(
      topic,
      offsets.reduce((sum, o) => sum + Number(o.high), 0),
    );
  }
  return ends;
}
