/**
 * What a service reports on `/healthz` and `/readyz`. Components (the Kafka consumer,
 * the Redis connection, the HTTP listener) each report whether they are ready; the
 * service is ready only when all of them are. Liveness fails only when a component
 * reports it is broken beyond recovery, so Kubernetes restarts the pod.
 */
export class Health {
  private readonly components = new Map<string, { ready: boolean; detail?: string }>();
  private fatal: string | undefined;

  /** Declares a component, not ready until it says so. */
  register(component: string): void {
    if (!this.components.has(component)) this.components.set(component, { ready: false });
  }

  set(component: string, ready: boolean, detail?: string): void {
    this.components.set(component, detail === undefined ? { ready } : { ready, detail });
  }

  /** Marks the process as broken: liveness fails from now on. */
  fail(reason: string): void {
    this.fatal = reason;
  }

  isLive(): boolean {
    return this.fatal === undefined;
  }

  isReady(): boolean {
    if (!this.isLive()) return false;
    for (const state of this.components.values()) if (!state.ready) return false;
    return true;
  }

  report(): { live: boolean; ready: boolean; components: Record<string, unknown>; fatal?: string } {
    return {
      live: this.isLive(),
      ready: this.isReady(),
      components: Object.fromEntries(this.components),
      ...(this.fatal === undefined ? {} : { fatal: this.fatal }),
    };
  }
}
