/** Where the test run's servers are, as the global setup provides it to every test file. */
export interface TestStackInfo {
  readonly kind: 'local' | 'containers' | 'external';
  readonly kafkaBrokers: readonly string[];
  /** The Redis; with `redisClusterNodes`, its credentials and the first node. */
  readonly redisUrl: string;
  /** `host:port` seeds when the run's Redis is a cluster (TEST_REDIS=cluster). */
  readonly redisClusterNodes?: readonly string[] | undefined;
  /** The CA file of a TLS-only Redis (`rediss://` URL; TEST_REDIS_TLS=yes): REDIS_TLS_CA_FILE. */
  readonly redisTlsCaFile?: string | undefined;
  /** Replication factor of the tests' topics: the brokers of the run's cluster (1 locally). */
  readonly replicationFactor: number;
  /** Confluent-compatible Schema Registry, when the stack runs one (containers, external). */
  readonly schemaRegistryUrl?: string | undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testStack: TestStackInfo;
  }
}
