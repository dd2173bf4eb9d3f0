import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '@platform/service-kit';
import { userService } from '../src/service.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../tools/testing/databases.js';
import { waitForOk } from '../../../tools/testing/http.js';
import { REDIS_URL, deleteRedisKeys, uniqueRedisPrefix } from '../../../tools/testing/redis.js';
import { closedPort, spawnService } from '../../../tools/testing/services.js';

let db: ScratchDatabase;
const prefix = uniqueRedisPrefix('process-test');
beforeAll(async () => {
  db = await createScratchDatabase('process');
});
afterAll(async () => {
  await db?.drop();
  await deleteRedisKeys(prefix);
});

describe('start-up', () => {
  it('a missing variable stops the built process with one line naming it and exit code 1', async () => {
    const proc = spawnService('user-service', { REDIS_URL });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toBe('user-service: Invalid configuration: DATABASE_URL is required\n');
  });

  it('order-service requires USER_SERVICE_URL', async () => {
    const proc = spawnService('order-service', { DATABASE_URL: db.url, REDIS_URL });
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toBe('order-service: Invalid configuration: USER_SERVICE_URL is required');
  });

  it('replicas starting at once against one database migrate it once and all serve', async () => {
    const env = { DATABASE_URL: db.url, REDIS_URL, REDIS_KEY_PREFIX: prefix, PORT: '0', HOST: '127.0.0.1' };
    const replicas = await Promise.all([1, 2, 3].map(() => startService(userService, env, { stdout: false })));
    try {
      for (const replica of replicas) expect((await fetch(`${replica.url}/readyz`)).status).toBe(200);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query('SELECT name FROM pgmigrations');
      await client.end();
      expect(rows).toEqual([{ name: '1764000000000_create-users' }, { name: '1765000000000_users-idempotency-key' }]);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });
});

describe('graceful shutdown', () => {
  let slowUsers: Server;
  let slowPort: number;
  let ordersDb: ScratchDatabase;

  beforeAll(async () => {
    // A user-service stand-in that takes 1.5 s to say "no such user": keeps a request in flight.
    slowUsers = createServer((_req, res) => {
      setTimeout(() => res.writeHead(404, { 'content-type': 'application/json' }).end('{}'), 1_500);
    });
    await new Promise<void>((resolve) => slowUsers.listen(0, '127.0.0.1', resolve));
    slowPort = (slowUsers.address() as { port: number }).port;
    ordersDb = await createScratchDatabase('process_orders');
  });
  afterAll(async () => {
    slowUsers?.closeAllConnections();
    await new Promise((resolve) => slowUsers?.close(resolve));
    await ordersDb?.drop();
  });

  it('on SIGTERM finishes the in-flight request, refuses new connections and exits 0', async () => {
    const port = await closedPort();
    const proc = spawnService('order-service', {
      DATABASE_URL: ordersDb.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      USER_SERVICE_URL: `http://127.0.0.1:${slowPort}`,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    try {
      await waitForOk(`http://127.0.0.1:${port}/healthz`);
      const inFlight = fetch(`http://127.0.0.1:${port}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 5, total: 1 }),
      });
      await new Promise((resolve) => setTimeout(resolve, 300)); // the request is now waiting on the stand-in
      proc.child.kill('SIGTERM');
      const response = await inFlight;
      expect(response.status).toBe(422); // answered, not cut off
      expect(await proc.exited, proc.output()).toBe(0);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      expect(proc.output()).toContain('SIGTERM received, shutting down');
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});

