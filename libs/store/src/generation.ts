import type { RedisClient } from './connection.js';
import { DeploymentKeys, Keys } from './keys.js';
import { releaseLock, renewLock } from './scripts/locks.js';

/** The generation a fresh deployment reads and writes. */
export const INITIAL_GENERATION = 'g0';

/**
 * The keys of the state of a deployment that has never been rebuilt
 * (`<REDIS_KEY_PREFIX>:g0`); services follow the generation pointer instead.
 */
export function initialStateKeys(keyPrefix: string): Keys {
  return new Keys(new DeploymentKeys(keyPrefix).generation(INITIAL_GENERATION));
}

/** How long a live aggregator's report of the generation it writes counts as current. */
export const SEEN_FRESH_MS = 15_000;

/** What a generation may be called (`STATE_GENERATION`): `g` and digits or lowercase letters. */
export const GENERATION_PATTERN = /^g[0-9a-z]+$/;

/**
 * The generation a rebuild fills after `current`: `g<n+1>` for `g<n>`, and `g1` after a
 * generation that does not end in a number.
 */
export function nextGeneration(current: string): string {
  const digits = /^g(\d+)$/.exec(current)?.[1];
  return digits === undefined ? 'g1' : `g${BigInt(digits) + 1n}`;
}

/**
 * The state generation pointer: `<REDIS_KEY_PREFIX>:generation` names the generation
 * (`g0`, `g1`, …) whose keys readers serve and live aggregators write. A rebuild fills a
 * new generation from the topics and then switches the pointer with one SET, so every
 * reader moves over at once (within its polling interval) and never sees a half-built
 * state. Live aggregators report the generation they write under
 * `<REDIS_KEY_PREFIX>:generation:seen`, so a rebuild knows when all have followed.
 */
export class GenerationPointer {
  private readonly keys: DeploymentKeys;
  private readonly key: string;
  private readonly seenKey: string;
  private readonly rebuildKey: string;

  constructor(
    private readonly redis: RedisClient,
    readonly keyPrefix: string,
  ) {
    this.keys = new DeploymentKeys(keyPrefix);
    this.key = this.keys.generationPointer();
    this.seenKey = this.keys.generationSeen();
    this.rebuildKey = this.keys.rebuildLock();
  }

  /** The generation's key prefix, as `Keys` takes it. */
  prefixOf(generation: string): string {
    return this.keys.generation(generation);
  }

  async read(): Promise<string> {
    return (await this.redis.get(this.key)) ?? INITIAL_GENERATION;
  }

  /** Points readers and live aggregators at `generation`; returns the previous one. */
  async switchTo(generation: string): Promise<string> {
    const previous = await this.redis.set(this.key, generation, 'GET');
    return previous ?? INITIAL_GENERATION;
  }

  /**
   * Takes the rebuild lock (`<prefix>:rebuild`) for `ttlMs`, so two rebuilds never fill
   * generations at once. Returns undefined when taken, or the holder's description when
   * someone else holds it.
   */
  async lockRebuild(holder: string, ttlMs: number): Promise<string | undefined> {
    const taken = await this.redis.set(this.rebuildKey, holder, 'PX', ttlMs, 'NX');
    if (taken === 'OK') return undefined;
    return (await this.redis.get(this.rebuildKey)) ?? 'another rebuild';
  }

  /** Extends the rebuild lock while `holder` still holds it; false when it was lost. */
  async renewRebuildLock(holder: string, ttlMs: number): Promise<boolean> {
    return renewLock(this.redis, { key: this.rebuildKey, holder, ttlMs });
  }

  async unlockRebuild(holder: string): Promise<void> {
    await releaseLock(this.redis, { key: this.rebuildKey, holder });
  }

  async reportSeen(member: string, generation: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.seenKey, member, `${generation}\u001f${Date.now()}`)
      .pexpire(this.seenKey, 10 * SEEN_FRESH_MS)
      .exec();
  }

  async forget(member: string): Promise<void> {
    await this.redis.hdel(this.seenKey, member);
  }

  /** Live aggregators that reported within SEEN_FRESH_MS, and the generation each writes. */
  async seen(nowMs = Date.now()): Promise<Map<string, string>> {
    const all = await this.redis.hgetall(this.seenKey);
    const result = new Map<string, string>();
    for (const [member, value] of Object.entries(all)) {
      const [generation = '', at = '0'] = value.split('\u001f');
      if (nowMs - Number(at) <= SEEN_FRESH_MS) result.set(member, generation);
    }
    return result;
  }
}

/**
 * Keeps the pointer's current value at hand, polling it. `current()` is synchronous so a
 * batch or a request can take one generation and use it throughout.
 */
/**
 * The state generation pointer could not be read yet (Redis down since start). Waiting
 * fixes it, so it says it is retriable (@wfm-stream/retry's classifyError): the reader
 * retries it within READER_REDIS_RETRY_BUDGET, then answers 503 (docs/api.md, "Errors").
 */
export class GenerationUnknownError extends Error {
  readonly retriable = true;
  constructor() {
    super('the state generation pointer could not be read yet');
    this.name = 'GenerationUnknownError';
  }
}

export class GenerationFollower {
  private value: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly pointer: GenerationPointer,
    initial: string | undefined,
    private readonly member: string | undefined,
  ) {
    this.value = initial;
  }

  /**
   * @param member when given, the follower reports the generation it holds under this
   *   name (live aggregators do; readers need not).
   */
  static async start(
    pointer: GenerationPointer,
    options: { intervalMs?: number; member?: string; onError?: (error: unknown) => void } = {},
  ): Promise<GenerationFollower> {
    // Redis may be down at start: the follower then knows no generation (and says so)
    // until a poll succeeds, rather than guessing one
    const follower = new GenerationFollower(pointer, undefined, options.member);
    await follower.poll().catch((error: unknown) => options.onError?.(error));
    follower.timer = setInterval(() => {
      follower.poll().catch((error: unknown) => options.onError?.(error));
    }, options.intervalMs ?? 1_000);
    follower.timer.unref();
    return follower;
  }

  /** The generation; throws a GenerationUnknownError while the pointer could not be read yet (Redis down at start). */
  current(): string {
    if (this.value === undefined) throw new GenerationUnknownError();
    return this.value;
  }

  /** The key prefix of the current generation. */
  prefix(): string {
    return this.pointer.prefixOf(this.current());
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.member !== undefined) await this.pointer.forget(this.member).catch(() => undefined);
  }

  private async poll(): Promise<void> {
    this.value = await this.pointer.read();
    await this.report();
  }

  private async report(): Promise<void> {
    if (this.member !== undefined && this.value !== undefined)
      await this.pointer.reportSeen(this.member, this.value);
  }
}
