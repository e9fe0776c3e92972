import { INITIAL_GENERATION } from '@wfm-stream/store';

/**
 * Every Redis key of the exporter, built here and nowhere else. The exporter's own state
 * lives under `<REDIS_KEY_PREFIX>:export`, outside the state generations (what a target
 * received does not change when the figures are rebuilt):
 *
 *   {export}        the scheduler: lease, fencing token, cursors, fingerprints
 *   {xd:<target>}   what was delivered to a target, per interval
 *
 * The figures themselves are read under `<REDIS_KEY_PREFIX>:<generation>` through the
 * store's Keys, following the generation pointer (libs/store/src/generation.ts).
 */
export class ExportKeys {
  readonly prefix: string;

  constructor(keyPrefix: string) {
    this.prefix = `${keyPrefix}:export`;
  }

  /** The scheduler lease: "<token>:<owner>". */
  lease(): string {
    return `${this.prefix}:{export}:lease`;
  }

  /** The fencing token counter. */
  leaseToken(): string {
    return `${this.prefix}:{export}:lease-token`;
  }

  /** Hash target → start (epoch ms) of the next interval to enqueue. */
  cursors(): string {
    return `${this.prefix}:{export}:cursors`;
  }

  /** Hash interval start (epoch ms) → content hash when last enqueued (restate window only). */
  fingerprints(): string {
    return `${this.prefix}:{export}:fingerprints`;
  }

  /** The content hash last delivered to the target for the interval. */
  delivered(target: string, intervalStartMs: number): string {
    return `${this.prefix}:{xd:${target}}:${intervalStartMs}`;
  }
}

/**
 * The store key prefix of the figures of a deployment that has never been rebuilt
 * (`<REDIS_KEY_PREFIX>:g0`); the service itself follows the generation pointer.
 */
export function stateKeyPrefix(keyPrefix: string): string {
  return `${keyPrefix}:${INITIAL_GENERATION}`;
}
