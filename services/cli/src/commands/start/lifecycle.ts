import fs from 'node:fs';

import type { ManagedProcess } from '@wfm-stream/process';

/** Something `start` started and stops on the way out. */
export interface Stoppable {
  stop(): Promise<unknown>;
}

/**
 * Everything `start` runs, and how it stops: Ctrl-C (SIGINT), SIGTERM, a service that
 * exits or a failure to start stop the traffic, then the services, then the servers in
 * the reverse order of their start, and remove the endpoints file. `done` settles with
 * the exit code once all of it has stopped.
 */
export class Lifecycle {
  readonly done: Promise<number>;
  private resolveDone: (code: number) => void = () => undefined;
  private stoppingNow = false;
  private readonly servers: Stoppable[] = [];
  private readonly services: ManagedProcess[] = [];
  private traffic: Stoppable | undefined;
  private beforeStop: () => void = () => undefined;
  private readonly onSignal = (): void => void this.stop(0);

  constructor(
    private readonly print: (line: string) => void,
    private readonly endpointsFile: string,
  ) {
    this.done = new Promise<number>((resolve) => {
      this.resolveDone = resolve;
    });
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** True once stopping has begun: exits from then on are expected. */
  get stopping(): boolean {
    return this.stoppingNow;
  }

  addServer(server: Stoppable): void {
    this.servers.push(server);
  }

  addService(service: ManagedProcess): void {
    this.services.push(service);
  }

  setTraffic(traffic: Stoppable): void {
    this.traffic = traffic;
  }

  /** Runs first when stopping begins (ends the progress line). */
  whenStopping(run: () => void): void {
    this.beforeStop = run;
  }

  /** Stops everything, once; `done` settles with `code`. */
  async stop(code: number): Promise<void> {
    if (this.stoppingNow) return;
    this.stoppingNow = true;
    this.beforeStop();
    this.print('stopping…');
    await this.traffic?.stop().catch(() => undefined);
    await Promise.all(this.services.map((s) => s.stop({ timeoutMs: 20_000 })));
    for (const server of this.servers.reverse()) await server.stop().catch(() => undefined);
    fs.rmSync(this.endpointsFile, { force: true });
    this.print('stopped; nothing left running');
    this.resolveDone(code);
  }

  /** Stops listening for Ctrl-C and SIGTERM. */
  detach(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
