import { serviceByName } from '@platform/contract';
import { JSON_HEADERS, send } from './http.js';
import type { ServerProcess } from './processes.js';
import type { ScratchDatabase } from './databases.js';
import { freshStores, runCleanups, startService, type Cleanups, type ServiceStores } from './services.js';
import { FaultProxy } from './tcp-proxy.js';

export const POSTGRES_ADDRESS = '127.0.0.1:5432';
/** The services' route prefixes, from the catalog. */
export const USERS_ROUTE = serviceByName('user-service').routePrefix;
export const ORDERS_ROUTE = serviceByName('order-service').routePrefix;
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
 * Starts user-service and order-service as child processes, each on its own fresh database and
 * Redis key prefix (freshStores), so concurrent test files never see each other's data.
 */
export async function startStack(options: StackOptions = {}): Promise<ServiceStack> {
  const cleanups: Cleanups = [];
  const stop = () => runCleanups(cleanups);
  try {
    const userStores = await freshStores('reliability_users', 'reliability-users', cleanups);
    const orderStores = await freshStores('reliability_orders', 'reliability-orders', cleanups);
    const usersDb = userStores.database;
    const ordersDb = orderStores.database;

    const postgres = options.proxyPostgres ? await FaultProxy.start(POSTGRES_ADDRESS) : undefined;
    const redis = options.proxyRedis ? await FaultProxy.start(REDIS_ADDRESS) : undefined;
    if (postgres) cleanups.push(() => postgres.close());
    if (redis) cleanups.push(() => redis.close());
    const viaProxy = (url: string, proxy: FaultProxy | undefined) => proxy?.urlFor(url) ?? url;
    const redisUrl = viaProxy(`redis://${REDIS_ADDRESS}`, redis);
    const env = (stores: ServiceStores) => ({ REDIS_KEY_PREFIX: stores.redisKeyPrefix, ...options.env });

    const users = await startService('user-service', { redisUrl, env: env(userStores), databaseUrl: viaProxy(usersDb.url, postgres) });
    cleanups.push(() => users.stop());
    const userService = options.proxyUserService ? await FaultProxy.start(new URL(users.baseUrl).host) : undefined;
    if (userService) cleanups.push(() => userService.close());
    const orders = await startService('order-service', {
      redisUrl,
      env: env(orderStores),
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

/**
 * Creates a user through user-service's API and returns its id; anything but 201 throws with
 * the answer, so a test's setup fails loudly instead of running on a missing user.
 */
export async function createUser(stack: Pick<ServiceStack, 'users'>, user: { readonly email: string; readonly name: string }): Promise<number> {
  const created = await send(stack.users.baseUrl, {
    method: 'POST',
    path: USERS_ROUTE,
    headers: JSON_HEADERS,
    body: JSON.stringify(user),
  });
  if (created.status !== 201) throw new Error(`POST /users answered ${created.status}: ${created.text}`);
  return (JSON.parse(created.text) as { id: number }).id;
}
