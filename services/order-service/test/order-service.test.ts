import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toMoney } from '../src/money.js';
import { requestJson } from '../../../tools/testing/http.js';
import { ecsField, logContractViolations, readLogLines } from '../../../tools/testing/log-lines.js';
import { closedPort, startServices, type StartedServices } from '../../../tools/testing/services.js';

let svc: StartedServices;
let orders: string;
let seq = 0;

async function newUser(): Promise<number> {
  const res = await requestJson(`${svc.userUrl}/users`, { body: { email: `buyer${++seq}.${Date.now()}@example.com`, name: 'Buyer' } });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

async function countOrders(where: string, params: unknown[]): Promise<number> {
  const db = new pg.Client({ connectionString: svc.databaseUrls['order-service'] });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM orders WHERE ${where}`, params);
    return Number(rows[0]!.n);
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  svc = await startServices();
  orders = `${svc.orderUrl}/orders`;
});
afterAll(() => svc?.stop());

describe('money', () => {
  it.each([
    [12.5, '12.50'],
    ['12.50', '12.50'],
    [0, '0.00'],
    ['0.1', '0.10'],
    [0.1, '0.10'],
    [19.99, '19.99'],
    ['9999999999.99', '9999999999.99'],
  ])('%j is exactly %s', (input, expected) => expect(toMoney(input)).toBe(expected));

  it.each([-1, '-1', 1.234, '1.234', '1e3', 1e21, '', 'abc', '01.5', '12.', '10000000000'])('%j is refused', (input) =>
    expect(toMoney(input)).toBeUndefined(),
  );
});

describe('POST /orders', () => {
  it('201 with the order, total as an exact decimal string', async () => {
    const userId = await newUser();
    for (const [total, expected] of [[12.5, '12.50'], ['0.10', '0.10'], [1234567.89, '1234567.89']] as const) {
      const res = await requestJson(orders, { body: { user_id: userId, total } });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.any(Number), userId, total: expected, status: 'created', createdAt: expect.any(String) });
      expect((await requestJson(`${orders}/${res.body.id}`)).body.total).toBe(expected);
    }
  });

  it.each([
    ['negative total', { user_id: 1, total: -1 }],
    ['three decimals', { user_id: 1, total: '1.234' }],
    ['three decimals as a number', { user_id: 1, total: 1.005 }],
    ['text total', { user_id: 1, total: 'ten' }],
    ['boolean total', { user_id: 1, total: true }],
    ['too large total', { user_id: 1, total: '100000000000' }],
    ['missing user_id', { total: 1 }],
    ['missing total', { user_id: 1 }],
    ['user_id as a string', { user_id: '1', total: 1 }],
    ['user_id zero', { user_id: 0, total: 1 }],
    ['fractional user_id', { user_id: 1.5, total: 1 }],
    ['null body', null],
  ])('400 on %s', async (_, body) => {
    const res = await requestJson(orders, { body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
  });

  it('422 when the user does not exist, every time (a missing user is not remembered as known)', async () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const res = await requestJson(orders, { body: { user_id: 987654, total: 1 } });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ statusCode: 422, error: 'Unprocessable Entity', message: 'user 987654 does not exist' });
    }
  });

  it('400 for a user_id beyond the database range, -0, an exponent or an inexact number', async () => {
    const bodies = ['{"user_id":2147483648,"total":1}', '{"user_id":9007199254740993,"total":1}', '{"user_id":1,"total":-0}', '{"user_id":1,"total":1e-400}', '{"user_id":1,"total":1.0000000000000001}'];
    for (const payload of bodies) {
      const res = await fetch(orders, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
      expect(res.status, payload).toBe(400);
      expect(Object.keys((await res.json()) as object).sort()).toEqual(['error', 'message', 'statusCode']);
    }
  });

  it('400 naming an unknown property instead of stripping it', async () => {
    const res = await fetch(orders, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":1,"total":1,"status":"paid"}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('body must not have property "status"');
  });

  it('passes the request id on to user-service', async () => {
    const userId = await newUser();
    const res = await requestJson(orders, { body: { user_id: userId, total: 5 }, headers: { 'x-request-id': 'propagated-42' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('propagated-42');
    const userLines = await readLogLines(svc.logFiles['user-service']);
    const fetched = userLines.find((l) => ecsField(l, 'http.request.id') === 'propagated-42' && l['event.action'] === 'user_fetched');
    expect(fetched).toMatchObject({ 'user.id': String(userId) });
  });
});

describe('Idempotency-Key', () => {
  it('a repeat with the same key and body returns the same order and creates no other', async () => {
    const userId = await newUser();
    const headers = { 'idempotency-key': `key-${userId}-a` };
    const first = await requestJson(orders, { body: { user_id: userId, total: 7.5 }, headers });
    const again = await requestJson(orders, { body: { user_id: userId, total: '7.50' }, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await countOrders('user_id = $1', [userId])).toBe(1);
  });

  it('the same key with another body is refused with 422', async () => {
    const userId = await newUser();
    const headers = { 'idempotency-key': `key-${userId}-b` };
    expect((await requestJson(orders, { body: { user_id: userId, total: 1 }, headers })).status).toBe(201);
    const other = await requestJson(orders, { body: { user_id: userId, total: 2 }, headers });
    expect(other.status).toBe(422);
    expect(other.body.message).toContain('different request');
    expect(await countOrders('user_id = $1', [userId])).toBe(1);
  });

  it('concurrent identical requests create exactly one order', async () => {
    const userId = await newUser();
    const key = `key-${userId}-concurrent`;
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => requestJson(orders, { body: { user_id: userId, total: '99.99' }, headers: { 'idempotency-key': key } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(await countOrders('idempotency_key = $1', [key])).toBe(1);
  });

  it('400 on a malformed key', async () => {
    const res = await requestJson(orders, { body: { user_id: 1, total: 1 }, headers: { 'idempotency-key': 'x'.repeat(256) } });
    expect(res.status).toBe(400);
  });
});

describe('GET /orders', () => {
  it('GET /orders/:id: 200, 404, 400', async () => {
    const userId = await newUser();
    const created = (await requestJson(orders, { body: { user_id: userId, total: 3 } })).body;
    expect((await requestJson(`${orders}/${created.id}`)).body).toEqual(created);
    expect((await requestJson(`${orders}/876543`)).status).toBe(404);
    expect((await requestJson(`${orders}/99999999999999`)).status).toBe(404);
    for (const bad of ['x', '0', '-2', '2.5']) expect((await requestJson(`${orders}/${bad}`)).status).toBe(400);
  });

  it('GET /orders?user_id=N lists the user\'s orders; 400 without a valid user_id', async () => {
    const userId = await newUser();
    const a = (await requestJson(orders, { body: { user_id: userId, total: 1 } })).body;
    const b = (await requestJson(orders, { body: { user_id: userId, total: '2.25' } })).body;
    const list = await requestJson(`${orders}?user_id=${userId}`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [a, b] });
    expect((await requestJson(`${orders}?user_id=876543`)).body).toEqual({ items: [] });
    expect((await requestJson(orders)).status).toBe(400);
    expect((await requestJson(`${orders}?user_id=abc`)).status).toBe(400);
  });
});

describe('probes and logs', () => {
  it('healthz 200, readyz 200', async () => {
    expect((await requestJson(`${svc.orderUrl}/healthz`)).status).toBe(200);
    expect((await requestJson(`${svc.orderUrl}/readyz`)).body).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up' } });
  });

  it('every line satisfies the log contract; order_created carries order.id and user.id', async () => {
    const userId = await newUser();
    const created = (await requestJson(orders, { body: { user_id: userId, total: 4 }, headers: { 'x-request-id': 'order-log-1' } })).body;
    const lines = await readLogLines(svc.logFiles['order-service']);
    for (const line of lines) expect(logContractViolations(line, 'order-service'), JSON.stringify(line)).toEqual([]);
    expect(lines.find((l) => l['event.action'] === 'order_created' && ecsField(l, 'http.request.id') === 'order-log-1')).toMatchObject({
      'order.id': String(created.id),
      'user.id': String(userId),
    });
  });
});

describe('when user-service cannot answer', () => {
  let silent: Server;
  let unreachable: StartedServices;
  let slow: StartedServices;

  beforeAll(async () => {
    // Accepts connections and never answers: the order-service timeout must fire.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    unreachable = await startServices({ serviceEnv: { 'order-service': { USER_SERVICE_URL: `http://127.0.0.1:${await closedPort()}` } } });
    slow = await startServices({
      serviceEnv: { 'order-service': { USER_SERVICE_URL: `http://127.0.0.1:${silentPort}`, USER_SERVICE_TIMEOUT_MS: '300' } },
    });
  });
  afterAll(async () => {
    await unreachable?.stop();
    await slow?.stop();
    silent?.closeAllConnections();
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('503 when user-service refuses connections', async () => {
    const res = await requestJson(`${unreachable.orderUrl}/orders`, { body: { user_id: 1, total: 1 } });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'user-service is not answering' });
  });

  it('503 when user-service does not answer within the timeout', async () => {
    const res = await requestJson(`${slow.orderUrl}/orders`, { body: { user_id: 1, total: 1 } });
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('user-service is not answering');
  });
});

describe('when Redis is down', () => {
  let noRedis: StartedServices;
  beforeAll(async () => {
    const redisUrl = `redis://127.0.0.1:${await closedPort()}`;
    noRedis = await startServices({ env: { REDIS_URL: redisUrl } });
  });
  afterAll(() => noRedis?.stop());

  it('still creates and reads orders (the known-user cache is only an optimisation); readyz names redis', async () => {
    const user = await requestJson(`${noRedis.userUrl}/users`, { body: { email: `noredis.${Date.now()}@example.com`, name: 'N' } });
    expect(user.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const order = await requestJson(`${noRedis.orderUrl}/orders`, { body: { user_id: user.body.id, total: '3.10' } });
      expect(order.status).toBe(201);
      expect((await requestJson(`${noRedis.orderUrl}/orders/${order.body.id}`)).body.total).toBe('3.10');
    }
    const ready = await requestJson(`${noRedis.orderUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.message).toBe('redis is not answering');
  });
});
