import { freePort, type ManagedProcess, spawnManaged } from '@wfm-stream/process';

import { serviceEntry } from '../../paths.js';
import { RebuildFailed } from './errors.js';

/**
 * Step 3: the aggregator processes that fill the new generation, in the rebuild's own
 * consumer group, with the rebuild's whole environment (the live aggregators' settings).
 */
export class RebuildAggregators {
  private stopping = false;
  private failure: string | undefined;

  private constructor(private readonly procs: readonly ManagedProcess[]) {}

  static async start(
    env: NodeJS.ProcessEnv,
    generation: string,
    group: string,
    instances: number,
    stderr: NodeJS.WriteStream,
  ): Promise<RebuildAggregators> {
    const procs: ManagedProcess[] = [];
    for (let i = 0; i < instances; i++) {
      const proc = spawnManaged(
        `rebuild-aggregator-${i + 1}`,
        process.execPath,
        [serviceEntry('aggregator')],
        {
          env: {
            ...env,
            STATE_GENERATION: generation,
            CONSUMER_GROUP: group,
            OPS_HOST: '127.0.0.1',
            HTTP_PORT: String(await freePort()),
            LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
          },
          pipe: true,
        },
      );
      // its warnings and errors (JSON lines) go where the operator looks
      proc.child.stdout?.pipe(stderr, { end: false });
      proc.child.stderr?.pipe(stderr, { end: false });
      procs.push(proc);
    }
    const running = new RebuildAggregators(procs);
    for (const proc of procs)
      void proc.exited.then((status) => {
        if (!running.stopping)
          running.failure ??= `${proc.name} exited (code ${String(status.code)}, signal ${String(status.signal)})`;
      });
    return running;
  }

  /** Throws RebuildFailed when one of them has died. */
  check(): void {
    if (this.failure !== undefined) throw new RebuildFailed(this.failure);
  }

  /** Stops them gracefully (finish the batch, commit, leave); true when all exited with 0. */
  async stop(): Promise<boolean> {
    this.stopping = true;
    const statuses = await Promise.all(this.procs.map((p) => p.stop({ timeoutMs: 30_000 })));
    return statuses.every((s) => s.code === 0);
  }
}
