import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';

/** Bounds of the in-process tier. */
export interface LocalCacheOptions {
  /** Most entries kept. */
  readonly maxEntries: number;
  /** Most bytes kept (the cached JSON text's length counts). */
  readonly maxBytes: number;
  /** Longest an entry lives locally, in ms, even if no invalidation ever arrives. */
  readonly ttlMs: number;
  /** How often the invalidation connection is pinged; a failed ping flushes the local tier. */
  readonly heartbeatMs?: number;
}

const INVALIDATE_CHANNEL = '__redis__:invalidate';

/**
 * The in-process tier of the cache, kept coherent by Redis server-assisted client-side
 * caching: the command connection turns on `CLIENT TRACKING ... BCAST PREFIX <keys>`,
 * redirected to a second (RESP2, subscribed) connection that receives an invalidation for
 * every change of a key under the prefix, from any client. The local tier is used only while
 * both connections are up and tracking is on; a lost connection, a failed heartbeat or a
 * failed command flushes it, and a value read from Redis is kept only if no invalidation
 * arrived while the read was in flight (the epoch check), so a late reply cannot bring back
 * a value another replica already replaced.
 */
export class TrackedLocalCache<T extends object> {
  private readonly entries: LRUCache<string, T>;
  private readonly subscriber: Redis;
  private enabled = false;
  /** Bumped on every invalidation and flush; a read stores its value only if it did not change. */
  private epoch = 0;
  private enabling: Promise<void> | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;
  /** CLIENT ID of the subscribed invalidation connection; unset until it is (re)subscribed. */
  private subscriberId: number | undefined;
  private warned = false;

  constructor(
    private readonly redis: Redis,
    /** Full key prefix tracked (the client's keyPrefix plus the cache's own, e.g. `user-service:user:`). */
    private readonly trackedPrefix: string,
    private readonly logger: Pick<Logger, 'warn' | 'info'>,
    options: LocalCacheOptions,
  ) {
    this.entries = new LRUCache<string, T>({ max: options.maxEntries, maxSize: options.maxBytes, sizeCalculation: () => 1, ttl: options.ttlMs });
    // RESP2: the redirected invalidations arrive as pub/sub messages ioredis understands.
    // No automatic re-subscribe: after a reconnect, enable() asks for the new connection's id first
    // (impossible once subscribed) and subscribes itself.
    this.subscriber = redis.duplicate({ protocol: 2, keyPrefix: '', lazyConnect: false, autoResubscribe: false });
    this.subscriber.on('close', () => {
      this.subscriberId = undefined;
    });
    this.subscriber.on('error', () => undefined); // the command connection logs Redis trouble
    this.subscriber.on('messageBuffer', (channel: Buffer, keys: unknown) => {
      if (channel.toString() !== INVALIDATE_CHANNEL) return;
      this.epoch++;
      if (!Array.isArray(keys)) return this.flush(); // null: FLUSHALL/FLUSHDB or tracking reset
      for (const key of keys) this.entries.delete(String(key).slice(this.redisPrefixLength));
    });
    for (const connection of [redis, this.subscriber]) {
      connection.on('close', () => this.flush());
      connection.on('ready', () => this.enable());
    }
    this.heartbeat = setInterval(() => {
      if (!this.enabled) return void this.enable();
      this.subscriber.ping().catch(() => this.flush());
    }, options.heartbeatMs ?? 1_000);
    this.heartbeat.unref();
    this.enable();
  }

  private get redisPrefixLength(): number {
    return (this.redis.options.keyPrefix ?? '').length;
  }

  /** Whether hits may be served locally now. */
  get active(): boolean {
    return this.enabled;
  }

  /** Drops every local entry and stops serving locally until tracking is confirmed again. */
  flush(): void {
    this.epoch++;
    this.entries.clear();
    this.enabled = false;
  }

  /** A local hit, or undefined. */
  peek(key: string): T | undefined {
    return this.enabled ? this.entries.get(key) : undefined;
  }

  /** The epoch to hand back to `store` once a read from Redis returns. */
  startRead(): number {
    return this.epoch;
  }

  /** Keeps a value read from Redis, unless an invalidation or flush happened since `startRead`. */
  store(key: string, value: T, epoch: number, size: number): void {
    if (this.enabled && epoch === this.epoch) this.entries.set(key, value, { size: Math.max(1, size) });
  }

  /** The value changed here: drop it at once (Redis's invalidation follows). */
  delete(key: string): void {
    this.epoch++;
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.flush();
    this.subscriber.disconnect();
  }

  private enable(): void {
    if (this.closed || this.enabling || this.redis.status !== 'ready' || this.subscriber.status !== 'ready') return;
    this.enabling = (async () => {
      const epoch = ++this.epoch;
      if (this.subscriberId === undefined) {
        const id = Number(await this.subscriber.client('ID'));
        await this.subscriber.subscribe(INVALIDATE_CHANNEL);
        this.subscriberId = id;
      }
      await this.redis.call('CLIENT', 'TRACKING', 'OFF');
      await this.redis.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(this.subscriberId), 'BCAST', 'PREFIX', this.trackedPrefix);
      // Anything that happened meanwhile (a close, an invalidation) leaves the tier off until the next try.
      if (epoch === this.epoch && !this.closed) {
        this.enabled = true;
        this.warned = false;
      }
    })()
      .catch((err: unknown) => {
        if (!this.warned) this.logger.warn({ err }, 'local cache off: Redis client tracking could not be enabled');
        this.warned = true;
        this.flush();
      })
      .finally(() => {
        this.enabling = undefined;
      });
  }
}
