import { randomBytes } from 'node:crypto';
import type { ServerProcess } from '../processes.js';
import { createScratchDatabase, type ScratchDatabase } from './databases.js';
import { startService } from './services.js';
import { FaultProxy } from './tcp-proxy.js';

export const POSTGRES_ADDRESS = '127.0.0.1:5432';
export const REDIS_ADDRESS = '127.0.0.1:6379';

export interface StackOptions {
  /** Route both services' Postgres connections through a FaultProxy (default false). */
  readonly proxyPostgres?: boolean;
  /** Route both services' Redis connections through a FaultProxy (default false). */
  readonly proxyRedis?: boolean;
  /** Route order-service's calls to user-service through a FaultProxy (default false). */
  readonly proxyUserService?: boolean;
  /** Extra environment for both services (default `LOG_LEVEL=warn`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Both services on fresh databases, optionally behind fault proxies; `stop()` tears it all down. */
export interface ServiceStack {
  readonly users: ServerProcess;
  readonly orders: ServerProcess;
  readonly usersDb: ScratchDatabase;
  readonly ordersDb: ScratchDatabase;
  readonly postgres?: FaultProxy;
  readonly redis?: FaultProxy;
  readonly userService?: FaultProxy;
  stop(): Promise<void>;
}

/**
 * Starts user-service and order-service as child processes on their own fresh databases and
 * their own Redis key prefix, so concurrent test files never see each other's data.
 */
export async function startStack(options: StackOptions = {}): Promise<ServiceStack> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const usersDb = await createScratchDatabase('reliability_users');
    cleanups.push(() => usersDb.drop());
    const ordersDb = await createScratchDatabase('reliability_orders');
    cleanups.push(() => ordersDb.drop());

    const postgres = options.proxyPostgres ? await FaultProxy.start(POSTGRES_ADDRESS) : undefined;
    const redis = options.proxyRedis ? await FaultProxy.start(REDIS_ADDRESS) : undefined;
    if (postgres) cleanups.push(() => postgres.close());
    if (redis) cleanups.push(() => redis.close());
    const viaProxy = (url: string, proxy: FaultProxy | undefined) => {
      if (!proxy) return url;
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      return proxied.toString();
    };
    const common = {
      redisUrl: viaProxy(`redis://${REDIS_ADDRESS}`, redis),
      env: { REDIS_KEY_PREFIX: `reliability-${randomBytes(4).toString('hex')}:`, ...options.env },
    };

    const users = await startService('user-service', { ...common, databaseUrl: viaProxy(usersDb.url, postgres) });
    cleanups.push(() => users.stop());
    const userService = options.proxyUserService ? await FaultProxy.start(new URL(users.baseUrl).host) : undefined;
    if (userService) cleanups.push(() => userService.close());
    const orders = await startService('order-service', {
      ...common,
      databaseUrl: viaProxy(ordersDb.url, postgres),
      userServiceUrl: userService ? `http://127.0.0.1:${userService.port}` : users.baseUrl,
    });
    cleanups.push(() => orders.stop());
    return { users, orders, usersDb, ordersDb, postgres, redis, userService, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
