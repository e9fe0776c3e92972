/**
 * Awaits every promise (so none is left unhandled), then throws the first failure.
 * Commands issued together this way leave in one pipeline per Redis node (ioredis
 * auto-pipelining), which is how a batch costs one round trip.
 */
export async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const values: T[] = [];
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
    values.push(result.value);
  }
  return values;
}
