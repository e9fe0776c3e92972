/** Where the test run's servers are, as the global setup provides it to every test file. */
export interface TestStackInfo {
  readonly kind: 'local' | 'containers' | 'external';
  readonly kafkaBrokers: readonly string[];
  readonly redisUrl: string;
  /** Control port of the local mock broker (topics, fault injection); absent elsewhere. */
  readonly mockKafkaControlPort?: number | undefined;
  /** Confluent Schema Registry, when the stack runs one (containers). */
  readonly schemaRegistryUrl?: string | undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testStack: TestStackInfo;
  }
}
