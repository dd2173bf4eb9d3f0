import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisClientOptions {
  /** CA file (PEM) a `rediss://` server's certificate is verified against; ignored for `redis://`. @default the system's CAs */
  readonly tlsCaFile?: string;
  /** A command not answered within this many ms fails (the caller falls back to Postgres). @default 50 */
  readonly commandTimeoutMs?: number;
}

/**
 * A Redis client for a cache: commands fail fast instead of queueing while Redis is away
 * (no offline queue, one attempt, short timeouts), so callers fall back to the database at
 * once, and the client keeps reconnecting in the background.
 */
export function createRedisClient(redisUrl: string, logger: Logger, keyPrefix = '', options: RedisClientOptions = {}): Redis {
  // ioredis turns TLS on for rediss:// and verifies the certificate and the host name; the
  // option adds only the CA. It must not be set for redis://, where it would turn TLS on.
  const tls = redisUrl.startsWith('rediss://') && options.tlsCaFile !== undefined ? { tls: { ca: readFileSync(options.tlsCaFile) } } : {};
  const client = new Redis(redisUrl, {
    ...tls,
    keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    commandTimeout: options.commandTimeoutMs ?? 50,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastError = '';
  client.on('error', (err: Error) => {
    // Reconnect attempts repeat the same error every few hundred ms; log each distinct one once.
    if (err.message === lastError) return;
    lastError = err.message;
    logger.warn({ err }, 'redis unavailable');
  });
  client.on('ready', () => {
    if (lastError) logger.info('redis available again');
    lastError = '';
  });
  return client;
}

/**
 * Resolves true once the client is connected, or false after `timeoutMs`. Start-up waits on
 * it so a fresh replica reports ready at once, without ever blocking on a Redis that is down.
 */
export function redisReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}
