import type { Logger } from './logger.js';
import { redactText } from './redact.js';

/** What `/healthz` and `/readyz` say of a component: nothing but ok or failing. */
export type ComponentStatus = 'ok' | 'failing';

/** A component's state with its detail, for views behind credentials (the dashboard). */
export interface ComponentState {
  readonly ready: boolean;
  readonly detail?: string;
}

/** The longest detail `components()` gives. */
const MAX_DETAIL_CHARS = 200;

/**
 * Conditions the probes name without making the service unready: the service works, but
 * an operator must act (docs/security.md#what-the-probes-say). A fixed vocabulary, never
 * text from an error.
 */
export type HealthWarning = 'data-gap';

export interface HealthReport {
  readonly live: boolean;
  readonly ready: boolean;
  readonly components: Readonly<Record<string, ComponentStatus>>;
  /** Present once a warning was raised in this process's life. */
  readonly warnings?: readonly HealthWarning[];
}

/**
 * What a service reports on `/healthz` and `/readyz`. Components (the Kafka consumer,
 * the Redis connection, the HTTP listener) each report whether they are ready; the
 * service is ready only when all of them are. Liveness fails only when a component
 * reports it is broken beyond recovery, so Kubernetes restarts the pod.
 *
 * The probes are unauthenticated, so `report()` names each component and says `ok` or
 * `failing`, nothing more: the details (an error's text may name a host, a user, a
 * query) go to the log, when they change (docs/security.md#what-the-probes-say), and to
 * `components()`, redacted and bounded, for views behind credentials.
 */
export class Health {
  private readonly states = new Map<string, { ready: boolean; detail?: string }>();
  private fatal: string | undefined;
  private readonly warnings = new Set<HealthWarning>();

  constructor(private readonly logger?: Logger) {}

  /** Declares a component, not ready until it says so. */
  register(component: string): void {
    if (!this.states.has(component)) this.states.set(component, { ready: false });
  }

  set(component: string, ready: boolean, detail?: string): void {
    const before = this.states.get(component);
    this.states.set(component, detail === undefined ? { ready } : { ready, detail });
    if (before?.ready === ready && before.detail === detail) return;
    const context = detail === undefined ? { component, ready } : { component, ready, detail };
    if (ready) this.logger?.info(context, 'component ok');
    else this.logger?.warn(context, 'component failing');
  }

  /** Marks the process as broken: liveness fails from now on. */
  fail(reason: string): void {
    if (this.fatal === undefined) this.logger?.error({ reason }, 'failed for good; liveness fails');
    this.fatal = reason;
  }

  /** Raises a warning the probes name from now on; readiness is unchanged. */
  warn(warning: HealthWarning): void {
    if (this.warnings.has(warning)) return;
    this.warnings.add(warning);
    this.logger?.error({ warning }, 'warning raised; /healthz and /readyz name it');
  }

  isLive(): boolean {
    return this.fatal === undefined;
  }

  isReady(): boolean {
    if (!this.isLive()) return false;
    for (const state of this.states.values()) if (!state.ready) return false;
    return true;
  }

  /** Each component's readiness and detail (credentials redacted, at most 200 characters). */
  components(): Record<string, ComponentState> {
    const result: Record<string, ComponentState> = {};
    for (const [name, state] of this.states)
      result[name] =
        state.detail === undefined
          ? { ready: state.ready }
          : { ready: state.ready, detail: redactText(state.detail).slice(0, MAX_DETAIL_CHARS) };
    return result;
  }

  report(): HealthReport {
    const components: Record<string, ComponentStatus> = {};
    for (const [name, state] of this.states) components[name] = state.ready ? 'ok' : 'failing';
    const report = { live: this.isLive(), ready: this.isReady(), components };
    return this.warnings.size === 0 ? report : { ...report, warnings: [...this.warnings].sort() };
  }
}
