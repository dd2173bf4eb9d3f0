/**
 * Shutdown: SIGTERM to a real service process while requests are in flight. Requests the
 * service has accepted complete; requests on open keep-alive connections during the drain are
 * answered (never reset); new connections are refused once it closes; the process exits 0.
 */
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { HEALTH_PATH } from '@platform/contract';
import { FreezingProxy } from '../../tools/testing/freezing-proxy.js';
import { queryOnce } from '../../tools/testing/databases.js';
import { eventually } from '../../tools/testing/eventually.js';
import { JSON_HEADERS, contractErrorProblem, send } from '../../tools/testing/http.js';
import { REDIS_URL } from '../../tools/testing/redis.js';
import { freshStores, runCleanups, startService, type Cleanups } from '../../tools/testing/services.js';
import { ORDERS_ROUTE, USERS_ROUTE, createUser, startStack } from '../../tools/testing/stack.js';
import { startTraffic } from '../../tools/testing/traffic.js';

const IN_FLIGHT = 6;
/** Keep-alive connections the drain test holds open: one for the in-flight read, the rest idle. */
const KEEP_ALIVE_SOCKETS = 16;

/** Resolves true once a new connection to `baseUrl` is refused (the listener is closed). */
async function refusesNewConnections(baseUrl: string): Promise<boolean> {
  return eventually(async () => {
    try {
      await send(baseUrl, { method: 'GET', path: HEALTH_PATH, timeoutMs: 2000 });
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
    }
  }, 10_000);
}

describe('SIGTERM', () => {
  it('lets requests caught mid-flight finish with 201, refuses new connections meanwhile, exits 0', async () => {
    // order-service waits on user-service for each new user; holding that link keeps the requests in flight.
    // Generous call and shutdown timeouts, so only the test decides when the held requests go on.
    const stack = await startStack({ proxyUserService: true, env: { USER_SERVICE_TIMEOUT_MS: '30000', SHUTDOWN_TIMEOUT_MS: '30000' } });
    try {
      const userIds: number[] = [];
      for (let i = 0; i < IN_FLIGHT; i++) {
        const created = await send(stack.users.baseUrl, { method: 'POST', path: USERS_ROUTE, headers: JSON_HEADERS, body: JSON.stringify({ email: `inflight-${i}@example.test`, name: 'In Flight' }) });
        expect(created.status, created.text).toBe(201);
        userIds.push((JSON.parse(created.text) as { id: number }).id);
      }

      stack.userService!.cut('hold');
      const inFlight = userIds.map((id) =>
        send(stack.orders.baseUrl, { method: 'POST', path: ORDERS_ROUTE, headers: JSON_HEADERS, body: JSON.stringify({ user_id: id, total: '5.00' }), timeoutMs: 40_000 }),
      );
      const heldChecks = () => stack.userService!.heldFromClients.split(`GET ${USERS_ROUTE}/`).length - 1;
      expect(await eventually(async () => heldChecks() === IN_FLIGHT, 15_000), `user checks held: ${heldChecks()}`).toBe(true);

      const exited = once(stack.orders.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      stack.orders.child.kill('SIGTERM');
      expect(await refusesNewConnections(stack.orders.baseUrl), 'new connections are refused after SIGTERM').toBe(true);
      expect(stack.orders.child.exitCode, 'still finishing its in-flight requests').toBeNull();

      stack.userService!.restore();
      const answers = await Promise.all(inFlight);
      expect(answers.map((a) => a.status)).toEqual(userIds.map(() => 201));
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });

      const ids = answers.map((a) => (JSON.parse(a.text) as { id: number }).id);
      const stored = await queryOnce<{ n: string }>(stack.ordersDb.url, 'SELECT count(*)::text AS n FROM orders WHERE id = ANY($1::bigint[])', [ids]);
      expect(Number(stored[0]!.n)).toBe(IN_FLIGHT);
    } finally {
      stack.userService?.restore();
      await stack.stop();
    }
  }, 120_000);

  it('under steady traffic: every answer is complete (200, or 503 once closing), nothing is cut off, exit code 0', async () => {
    const stack = await startStack();
    try {
      const path = `${USERS_ROUTE}/${await createUser(stack, { email: 'steady@example.test', name: 'Steady' })}`;
      const traffic = startTraffic(stack.users.baseUrl, 4, () => ({ method: 'GET', path, timeoutMs: 15_000 }));
      expect(await eventually(async () => traffic.outcomes.length >= 50, 20_000)).toBe(true);

      const exited = once(stack.users.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      stack.users.child.kill('SIGTERM');
      const [code, signal] = await exited;
      expect(await refusesNewConnections(stack.users.baseUrl)).toBe(true);
      const outcomes = await traffic.stop();

      expect({ code, signal }).toEqual({ code: 0, signal: null });
      const answers = outcomes.flatMap((o) => ('answer' in o ? [o.answer] : []));
      // A request that reaches the service after it began closing is refused with the contract's
      // 503, carrying its request id like every answer; anything else is served in full.
      const refused = answers.filter((a) => a.status === 503);
      for (const answer of refused) {
        expect(contractErrorProblem(answer)).toBeUndefined();
        expect(answer.headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
      }
      expect(answers.filter((a) => a.status !== 200 && a.status !== 503).map((a) => `${a.status} ${a.text}`)).toEqual([]);
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(50);
      // After the listener closes, connections are refused (or reset by the kernel if they raced
      // the close in the accept queue: never accepted, never answered). A request the service
      // accepted and then dropped would show up as "socket hang up" or a timeout instead.
      const notServed = outcomes.flatMap((o) => ('error' in o ? [o.error as NodeJS.ErrnoException] : []));
      for (const error of notServed) {
        expect(error.code === 'ECONNREFUSED' || /^(read|write|connect) ECONNRESET/.test(error.message), error.message).toBe(true);
      }
    } finally {
      await stack.stop();
    }
  }, 120_000);

  it('requests sent on open keep-alive connections in the first milliseconds after SIGTERM are answered, never reset; in-flight ones complete', async () => {
    const cleanups: Cleanups = [];
    const agent = new Agent({ keepAlive: true, maxSockets: KEEP_ALIVE_SOCKETS });
    cleanups.push(async () => agent.destroy());
    try {
      const stores = await freshStores('shutdown_users', 'shutdown-users', cleanups);
      // Postgres behind a freezable proxy: a frozen read is a request in flight for as long as the test wants.
      const postgres = await FreezingProxy.start(new URL(stores.database.url).host);
      cleanups.push(() => postgres.close());
      const users = await startService('user-service', {
        databaseUrl: postgres.urlFor(stores.database.url),
        redisUrl: REDIS_URL,
        env: { REDIS_KEY_PREFIX: stores.redisKeyPrefix, LOCAL_CACHE_MAX_ENTRIES: '0', SHUTDOWN_TIMEOUT_MS: '30000' },
      });
      cleanups.push(() => users.stop());
      const created = await send(users.baseUrl, { method: 'POST', path: USERS_ROUTE, headers: JSON_HEADERS, body: JSON.stringify({ email: 'keep-alive@example.test', name: 'Kept Alive' }) });
      expect(created.status, created.text).toBe(201);

      const url = new URL(users.baseUrl);
      /** One GET through the keep-alive agent: its answer, or the error it ended with, and whether it rode an open connection. */
      const get = (path: string) =>
        new Promise<{ status?: number; connection?: string; error?: string; reused: boolean }>((resolve) => {
          const req = request({ host: url.hostname, port: url.port, path, agent, timeout: 20_000 }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, reused: req.reusedSocket }));
            res.on('error', (error) => resolve({ error: error.message, reused: req.reusedSocket }));
          });
          req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: `${error.code ?? ''} ${error.message}`, reused: req.reusedSocket }));
          req.on('timeout', () => req.destroy(new Error('no answer within 20 s')));
          req.end();
        });
      // Open KEEP_ALIVE_SOCKETS connections and leave them idle in the agent.
      const warm = await Promise.all(Array.from({ length: KEEP_ALIVE_SOCKETS }, () => get(HEALTH_PATH)));
      expect(warm.map((w) => w.status)).toEqual(warm.map(() => 200));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(Object.values(agent.freeSockets).flat().length, 'idle keep-alive connections').toBe(KEEP_ALIVE_SOCKETS);

      postgres.freeze();
      const inFlight = get(`${USERS_ROUTE}/${(JSON.parse(created.text) as { id: number }).id}`);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the read now waits on the frozen Postgres
      const exited = once(users.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      users.child.kill('SIGTERM');
      // One request on each idle connection, spread over the first ~150 ms after the signal.
      const spacingMs = 10;
      const duringDrain = Array.from({ length: KEEP_ALIVE_SOCKETS - 1 }, (_, i) => new Promise((resolve) => setTimeout(resolve, i * spacingMs)).then(() => get(HEALTH_PATH)));
      const answers = await Promise.all(duringDrain);
      postgres.resume();

      expect(answers.filter((a) => a.error !== undefined || !a.reused), 'requests that were reset or not sent on their open connection').toEqual([]);
      for (const [i, answer] of answers.entries()) {
        expect([200, 503]).toContain(answer.status);
        // The first few may beat the child's signal handler; from 50 ms on, it is draining.
        if (i * spacingMs >= 50) expect(answer.connection, `answer ${i} during the drain ends its connection`).toBe('close');
      }
      const slow = await inFlight;
      expect(slow, 'the in-flight read completes').toMatchObject({ status: 200 });
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    } finally {
      await runCleanups(cleanups);
    }
  }, 60_000);
});
