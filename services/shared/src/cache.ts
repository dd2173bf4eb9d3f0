import type { Redis } from 'ioredis';
import type { LogFn } from 'pino';

/** Any pino-style logger (the app's, or a request's `request.log`). */
type Logger = { warn: LogFn };

/**
 * Cache-aside over Redis for JSON values. Redis is an optimisation here, never a
 * dependency: every failure is logged and reported as a miss (get) or ignored (set, delete),
 * so callers carry on with Postgres while Redis is down.
 */
export class JsonCache<T> {
  constructor(
    private readonly redis: Redis,
    /** Default logger; pass the request's logger to a call to keep its request id on the line. */
    private readonly logger: Logger,
    /** Seconds an entry lives; bounds staleness when an invalidation could not reach Redis. */
    private readonly ttlSeconds: number,
  ) {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new Error(`JsonCache ttlSeconds must be a positive whole number of seconds, got ${ttlSeconds}`);
    }
  }

  async get(key: string, log: Logger = this.logger): Promise<T | undefined> {
    try {
      const text = await this.redis.get(key);
      return text === null ? undefined : (JSON.parse(text) as T);
    } catch (err) {
      log.warn({ err, 'labels.cache_key': key }, 'cache read failed; using the database');
      return undefined;
    }
  }

  async set(key: string, value: T, log: Logger = this.logger): Promise<void> {
    try {
      await this.redis.set(key, JSON.stringify(value), 'EX', this.ttlSeconds);
    } catch (err) {
      log.warn({ err, 'labels.cache_key': key }, 'cache write failed');
    }
  }

  /** Drops an entry after its source changed; returns false when Redis could not be told. */
  async delete(key: string, log: Logger = this.logger): Promise<boolean> {
    try {
      await this.redis.del(key);
      return true;
    } catch (err) {
      log.warn({ err, 'labels.cache_key': key }, `cache invalidation failed; entry may be stale for up to ${this.ttlSeconds}s`);
      return false;
    }
  }
}
