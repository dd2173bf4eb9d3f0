/**
 * Closing a service ends its own Postgres pool (the app's onClose hook, which quits its Redis
 * client too), against real Postgres: no connection of its database is left once close() returns.
 */
import { startService } from '@platform/service-kit';
import { afterAll, expect, it } from 'vitest';
import { createScratchDatabase, queryOnce, POSTGRES_ADMIN_URL } from '../../../tools/testing/databases.js';
import { requestJson } from '../../../tools/testing/http.js';
import { deleteRedisKeys, REDIS_URL, uniqueRedisPrefix } from '../../../tools/testing/redis.js';
import { userService } from '../src/service.js';

const database = await createScratchDatabase('close');
const prefix = uniqueRedisPrefix('close');
afterAll(async () => {
  await database.drop();
  await deleteRedisKeys(prefix);
});

const connectionsTo = async (name: string) =>
  Number((await queryOnce<{ n: string }>(POSTGRES_ADMIN_URL, 'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]))[0]!.n);
it('ends its Postgres connections when it closes', async () => {
  const service = await startService(
    userService,
    { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, REDIS_URL, REDIS_KEY_PREFIX: prefix, SERVICE_ENVIRONMENT: 'test' },
    { stdout: false },
  );
  const created = await requestJson(`${service.url}/users`, { body: { email: 'close@example.com', name: 'Close' } });
  expect(created.status).toBe(201);
  expect(await connectionsTo(database.name)).toBeGreaterThan(0);
  await service.close();
  expect(await connectionsTo(database.name)).toBe(0);
});
