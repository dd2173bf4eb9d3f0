/**
 * Faults: dependencies taken away while the services run (real child processes, fault
 * proxies between them and Postgres, Redis and user-service). Bounds are generous "no hang"
 * limits, not performance claims.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_PATH } from '@platform/contract';
import { queryOnce } from '../../tools/testing/databases.js';
import { eventually } from '../../tools/testing/eventually.js';
import { JSON_HEADERS, contractErrorProblem, send, type HttpAnswer } from '../../tools/testing/http.js';
import { ORDERS_ROUTE, USERS_ROUTE, createUser, startStack, type ServiceStack } from '../../tools/testing/stack.js';
import type { OutageMode } from '../../tools/testing/tcp-proxy.js';
import { startTraffic, type Outcome } from '../../tools/testing/traffic.js';

/** Longest any single answer may take while a dependency is away: far above every timeout the services use. */
const NO_HANG_MS = 15_000;

let stack: ServiceStack;
let userId: number;

beforeAll(async () => {
  stack = await startStack({ proxyPostgres: true, proxyRedis: true, proxyUserService: true });
  userId = await createUser(stack, { email: 'faults@example.test', name: 'Fault Target' });
});

afterAll(async () => {
  await stack?.stop();
});

const postOrderFor = (target: ServiceStack, user: number, total: string, timeoutMs = NO_HANG_MS) =>
  send(target.orders.baseUrl, { method: 'POST', path: ORDERS_ROUTE, headers: JSON_HEADERS, body: JSON.stringify({ user_id: user, total }), timeoutMs });
const postOrder = (total: string, timeoutMs = NO_HANG_MS) => postOrderFor(stack, userId, total, timeoutMs);

const isReady = async (baseUrl: string) => (await send(baseUrl, { method: 'GET', path: READY_PATH, timeoutMs: 5000 })).status === 200;

function answered(outcomes: readonly Outcome[]): HttpAnswer[] {
  const failures = outcomes.filter((o): o is Extract<Outcome, { error: Error }> => 'error' in o);
  expect(failures.map((f) => f.error.message), 'requests that got no answer (hang or connection error)').toEqual([]);
  return outcomes.map((o) => (o as { answer: HttpAnswer }).answer);
}

function expectOnly503ContractErrors(answers: readonly HttpAnswer[], allowed: readonly number[]): void {
  for (const answer of answers) {
    expect(allowed, `unexpected ${answer.status}: ${answer.text}`).toContain(answer.status);
    if (answer.status >= 400) expect(contractErrorProblem(answer)).toBeUndefined();
  }
}

describe.each<OutageMode>(['reset', 'blackhole'])('Postgres away (%s) in the middle of order traffic', (mode) => {
  it('answers 503 without hanging, reports not ready, recovers without a restart, and loses no acknowledged order', async () => {
    const pids = [stack.users.child.pid, stack.orders.child.pid];
    const traffic = startTraffic(stack.orders.baseUrl, 4, (n) => ({
      method: 'POST',
      path: ORDERS_ROUTE,
      headers: JSON_HEADERS,
      body: JSON.stringify({ user_id: userId, total: `${n}.25` }),
      timeoutMs: NO_HANG_MS,
    }));
    const count = (status: number, from = 0) => traffic.outcomes.slice(from).filter((o) => 'answer' in o && o.answer.status === status).length;
    const seen = (from = 0) =>
      JSON.stringify(traffic.outcomes.slice(from).reduce<Record<string, number>>((all, o) => {
        const label = 'answer' in o ? `${o.answer.status} ${o.answer.status >= 400 ? o.answer.text.slice(0, 80) : ''}` : o.error.message;
        all[label] = (all[label] ?? 0) + 1;
        return all;
      }, {}));
    try {
      expect(await eventually(async () => count(201) >= 10, 20_000), `orders are created before the outage; seen ${seen()}`).toBe(true);

      stack.postgres!.cut(mode);
      const cutAt = traffic.outcomes.length;
      expect(await eventually(async () => count(503, cutAt) >= 5, NO_HANG_MS * 2), `orders are refused with 503 during the outage; seen ${seen(cutAt)}`).toBe(true);
      for (const server of [stack.users, stack.orders]) {
        const readiness = await send(server.baseUrl, { method: 'GET', path: READY_PATH, timeoutMs: NO_HANG_MS });
        expect(readiness.status, `${server.name} readiness while Postgres is away`).toBe(503);
        expect(contractErrorProblem(readiness)).toBeUndefined();
        expect(readiness.text).toMatch(/postgres/i);
      }

      stack.postgres!.restore();
      const restoredAt = traffic.outcomes.length;
      expect(await eventually(async () => (await isReady(stack.users.baseUrl)) && (await isReady(stack.orders.baseUrl)), 20_000), 'ready again').toBe(true);
      expect(await eventually(async () => count(201, restoredAt) >= 5, 20_000), `orders are created again after recovery; seen ${seen(restoredAt)}`).toBe(true);
    } finally {
      stack.postgres!.restore();
      await traffic.stop();
    }

    const answers = answered(traffic.outcomes);
    expectOnly503ContractErrors(answers, [201, 503]);
    expect([stack.users.child.pid, stack.orders.child.pid], 'no restart').toEqual(pids);
    expect(stack.users.child.exitCode).toBeNull();
    expect(stack.orders.child.exitCode).toBeNull();

    const acknowledged = answers.filter((a) => a.status === 201).map((a) => (JSON.parse(a.text) as { id: number }).id);
    const stored = await queryOnce<{ id: string }>(stack.ordersDb.url, 'SELECT id::text AS id FROM orders WHERE id = ANY($1::bigint[])', [acknowledged]);
    expect(new Set(stored.map((r) => Number(r.id))), 'every order answered 201 is in the database').toEqual(new Set(acknowledged));
  }, 120_000);
});

describe.each<OutageMode>(['reset', 'blackhole'])('Redis away (%s)', (mode) => {
  it('user reads still succeed from Postgres, and keep succeeding when Redis is back', async () => {
    const path = `${USERS_ROUTE}/${userId}`;
    const before = await send(stack.users.baseUrl, { method: 'GET', path });
    expect(before.status).toBe(200);
    await send(stack.users.baseUrl, { method: 'GET', path }); // now cached
    const other = await send(stack.users.baseUrl, { method: 'POST', path: USERS_ROUTE, headers: JSON_HEADERS, body: JSON.stringify({ email: `uncached-${mode}@example.test`, name: 'Uncached' }) });
    expect(other.status).toBe(201);
    const otherPath = `${USERS_ROUTE}/${(JSON.parse(other.text) as { id: number }).id}`;

    stack.redis!.cut(mode);
    try {
      for (let i = 0; i < 5; i++) {
        const cached = await send(stack.users.baseUrl, { method: 'GET', path, timeoutMs: NO_HANG_MS });
        expect(cached.status, cached.text).toBe(200);
        expect(JSON.parse(cached.text)).toEqual(JSON.parse(before.text));
        const uncached = await send(stack.users.baseUrl, { method: 'GET', path: otherPath, timeoutMs: NO_HANG_MS });
        expect(uncached.status, uncached.text).toBe(200);
        expect(JSON.parse(uncached.text)).toEqual(JSON.parse(other.text));
      }
    } finally {
      stack.redis!.restore();
    }
    expect(await eventually(async () => (await send(stack.users.baseUrl, { method: 'GET', path })).status === 200, 10_000)).toBe(true);
    expect(stack.users.child.exitCode).toBeNull();
  }, 60_000);
});

describe.each<OutageMode>(['reset', 'blackhole'])('user-service unreachable from order-service (%s)', (mode) => {
  it('POST /orders answers 503 (not 500) within the call timeout, and works again afterwards', async () => {
    // Users order-service has not seen yet: it has to ask user-service about each of them.
    const freshUsers: number[] = [];
    for (let i = 0; i < 3; i++) {
      freshUsers.push(await createUser(stack, { email: `unseen-${mode}-${i}@example.test`, name: 'Unseen' }));
    }
    stack.userService!.cut(mode);
    try {
      for (const freshUser of freshUsers) {
        const refused = await postOrderFor(stack, freshUser, '1.00');
        expect(refused.status, refused.text).toBe(503);
        expect(contractErrorProblem(refused)).toBeUndefined();
      }
    } finally {
      stack.userService!.restore();
    }
    expect(await eventually(async () => (await postOrder('2.00')).status === 201, 10_000), 'orders work again').toBe(true);
    expect(stack.orders.child.exitCode).toBeNull();
  }, 60_000);
});

describe('user-service process gone', () => {
  it('POST /orders answers 503 (not 500) when nothing listens at USER_SERVICE_URL', async () => {
    const lonely = await startStack();
    try {
      const goneUserId = await createUser(lonely, { email: 'gone@example.test', name: 'Gone' });
      expect(await lonely.users.stop()).toBe(0);
      const refused = await postOrderFor(lonely, goneUserId, '3.00');
      expect(refused.status, refused.text).toBe(503);
      expect(contractErrorProblem(refused)).toBeUndefined();
    } finally {
      await lonely.stop();
    }
  }, 60_000);
});
