import type { Redis } from 'ioredis';
import type { LogFn } from 'pino';
import type { TrackedLocalCache } from './tracked-cache.js';

/** Any pino-style logger (the app's, or a request's `request.log`). */
type Logger = { warn: LogFn };

/** How long reads and writes skip Redis after one of them failed. */
export const CACHE_BACKOFF_MS = 1_000;

/**
 * Cache-aside over Redis for JSON values. Redis is an optimisation here, never a
 * dependency: every failure is logged and reported as a miss (get) or ignored (set, delete),
 * so callers carry on with Postgres while Redis is down.
 */
export class JsonCache<T> {
  /** After a failed read or write, reads and writes skip Redis until then (ms since the epoch); invalidations never do. */
  private skipUntil = 0;
  /** The turn reads of the local tier wait for (`afterPendingIo`); none while no read waits. */
  private pendingIo: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    /** Default logger; pass the request's logger to a call to keep its request id on the line. */
    private readonly logger: Logger,
    /** Seconds an entry lives; bounds staleness when an invalidation could not reach Redis. */
    private readonly ttlSeconds: number,
    /** In-process tier kept coherent by Redis client tracking; none: every read goes to Redis. */
    private readonly local?: TrackedLocalCache<T & object>,
  ) {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new Error(`JsonCache ttlSeconds must be a positive whole number of seconds, got ${ttlSeconds}`);
    }
  }

  /**
   * Resolves in the next check phase, after the I/O the event loop has already received. Reads
   * waiting in the same turn share one Immediate (one per turn instead of one per read, with the
   * same guarantee); one that starts later gets the next turn.
   */
  private afterPendingIo(): Promise<void> {
    return (this.pendingIo ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.pendingIo = undefined;
        resolve();
      }),
    ));
  }

  async get(key: string, log: Logger = this.logger): Promise<T | undefined> {
    return (await this.lookup(key, log)).value;
  }

  /** Like `get`, and says which tier answered (`local`, `redis`) or `miss`. */
  async lookup(key: string, log: Logger = this.logger): Promise<{ value: T | undefined; source: 'local' | 'redis' | 'miss' }> {
    const local = this.local;
    if (local?.active && local.peek(key) !== undefined) {
      // Let the event loop take in any invalidation already received on the other connection
      // (setImmediate runs after the I/O phase), so a change acknowledged before this request
      // arrived is never answered from the local tier.
      await this.afterPendingIo();
      const value = local.peek(key);
      if (value !== undefined) return { value: value as T, source: 'local' };
    }
    if (this.skipUntil > Date.now()) return { value: undefined, source: 'miss' };
    const epoch = local?.startRead() ?? 0;
    try {
      const text = await this.redis.get(key);
      if (text === null) return { value: undefined, source: 'miss' };
      const value = JSON.parse(text) as T;
      local?.store(key, value as T & object, epoch, text.length);
      return { value, source: 'redis' };
    } catch (err) {
      // A failed or timed-out command may also have missed invalidations: start the local tier afresh.
      local?.flush();
      this.backOff();
      log.warn({ err, 'labels.cache_key': key }, 'cache read failed; using the database');
      return { value: undefined, source: 'miss' };
    }
  }

  async set(key: string, value: T, log: Logger = this.logger): Promise<void> {
    if (this.skipUntil > Date.now()) return;
    try {
      await this.redis.set(key, JSON.stringify(value), 'EX', this.ttlSeconds);
    } catch (err) {
      this.local?.flush();
      this.backOff();
      log.warn({ err, 'labels.cache_key': key }, 'cache write failed');
    }
  }

  /**
   * A Redis that failed (down, or frozen: every command waits for the timeout) is not asked
   * again for a second, so requests meanwhile cost one Postgres query, not a timeout each.
   */
  private backOff(): void {
    this.skipUntil = Date.now() + CACHE_BACKOFF_MS;
  }

  /** Drops an entry after its source changed; returns false when Redis could not be told. */
  async delete(key: string, log: Logger = this.logger): Promise<boolean> {
    this.local?.delete(key);
    try {
      await this.redis.del(key);
      return true;
    } catch (err) {
      log.warn({ err, 'labels.cache_key': key }, `cache invalidation failed; entry may be stale for up to ${this.ttlSeconds}s`);
      return false;
    }
  }
}
