import type { Endpoints } from './endpoints.js';
import type { StateDir } from './state-dir.js';

/** Where everything runs, and a `curl` of today's figures to paste. */
export function printRunning(
  endpoints: Endpoints,
  dir: StateDir,
  traffic: string,
  groupIds: readonly string[],
  print: (line: string) => void,
): void {
  const { readerUrl, wfmSinkUrl: sinkUrl } = endpoints;
  const today = new Date().toISOString().slice(0, 10);
  print('');
  print('wfm-stream is running:');
  print(`  reader (ARGUS WFM CC API)  ${readerUrl}`);
  const apiKey = endpoints.readerHeaders['X-API-Key'];
  print(
    `  dashboard (live)           ${readerUrl}/dashboard${apiKey === undefined ? '' : `  (sign in with the API key ${apiKey})`}`,
  );
  print(`  WFM sink (status pushes)   ${sinkUrl}/_sink/received`);
  print(`  interval exports           ${sinkUrl}/_sink/received and ${dir.exports}`);
  print(`  Kafka bootstrap            ${endpoints.kafkaBrokers.join(',')}`);
  if (endpoints.schemaRegistryUrl !== undefined)
    print(`  Schema Registry            ${endpoints.schemaRegistryUrl}`);
  if (endpoints.redisClusterNodes === undefined)
    print(`  Redis                      ${endpoints.redisUrl}`);
  else print(`  Redis Cluster              ${endpoints.redisClusterNodes.join(',')}`);
  print(`  logs                       ${dir.logs}`);
  print(`  endpoints file             ${dir.endpointsFile}`);
  print(`  traffic                    ${traffic}`);
  print('');
  print('Try:');
  const headers = Object.entries(endpoints.readerHeaders)
    .map(([name, value]) => `-H '${name}: ${value}' `)
    .join('');
  print(
    `  curl ${headers}'${readerUrl}/historic/serviceGroupData?startDate=${today}T00:00:00Z&endDate=${today}T23:59:00Z&step=900000&groupId=${groupIds.join(',')}'`,
  );
  print('');
  print('Ctrl-C stops everything.');
}
