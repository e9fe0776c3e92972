import type { IntervalRecords } from '@wfm-stream/export';

export const TARGET_KINDS = [
  'calabrio-json',
  'pipkins-json',
  'calabrio-queue-file',
  'file-drop',
] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface DeliveryContext {
  /** Content hash of the records (recordsHash). */
  readonly hash: string;
  /** Aborted when the exporter stops: give up and leave the job for later. */
  readonly signal: AbortSignal;
  /**
   * Parts of a multi-request delivery already accepted in an earlier attempt of this job:
   * a retry sends only the rest (the target would drop a repeat by its key anyway).
   */
  readonly completed: Set<string>;
}

/** A place interval records are delivered to, in its own format. */
export interface Target {
  readonly name: string;
  readonly kind: TargetKind;
  /** Resolves once the target has the records; throws DeliveryError otherwise. */
  deliver(records: IntervalRecords, context: DeliveryContext): Promise<void>;
}

/**
 * A failed delivery. `retriable` says whether trying again can help (a timeout, a 503, a
 * full disk) or not (a 400: the target refuses this content; retrying only delays the
 * parking the operator has to look at).
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** Any failure as a DeliveryError; unknown errors are retriable. */
export function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryError(message, true, undefined, { cause: error });
}

/**
 * The Idempotency-Key of a request: `<target>:<interval start>[:<record set>]:<hash>`,
 * where the hash is of the request's own body. A redelivery of the same content carries
 * the same key, so a target can drop it; a restated interval carries a new one.
 */
export function idempotencyKey(
  target: string,
  intervalStart: string,
  hash: string,
  part?: string,
): string {
  return part === undefined
    ? `${target}:${intervalStart}:${hash}`
    : `${target}:${intervalStart}:${part}:${hash}`;
}
