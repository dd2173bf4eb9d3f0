/**
 * Concurrency: identical requests racing each other. The database has to decide (unique
 * constraints), not a read-then-write in the service.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryOnce } from '../../tools/testing/databases.js';
import { JSON_HEADERS, contractErrorProblem, send, type HttpAnswer } from '../../tools/testing/http.js';
import { ORDERS_ROUTE, USERS_ROUTE, createUser, startStack, type ServiceStack } from '../../tools/testing/stack.js';

const RACERS = 40;

let stack: ServiceStack;
let userId: number;

beforeAll(async () => {
  stack = await startStack();
  userId = await createUser(stack, { email: 'racer@example.test', name: 'Racer' });
});

afterAll(async () => {
  await stack?.stop();
});

const idOf = (answer: HttpAnswer) => (JSON.parse(answer.text) as { id: number }).id;

async function countOrders(): Promise<number> {
  const [row] = await queryOnce<{ n: string }>(stack.ordersDb.url, 'SELECT count(*)::text AS n FROM orders');
  return Number(row!.n);
}

describe('concurrent identical requests', () => {
  it(`${RACERS} concurrent POST /orders with one Idempotency-Key create exactly one order, and all get it`, async () => {
    const before = await countOrders();
    const key = randomUUID();
    const body = JSON.stringify({ user_id: userId, total: '19.99' });
    const answers = await Promise.all(
      Array.from({ length: RACERS }, () => send(stack.orders.baseUrl, { method: 'POST', path: ORDERS_ROUTE, headers: { ...JSON_HEADERS, 'idempotency-key': key }, body })),
    );
    for (const answer of answers) expect([200, 201], answer.text).toContain(answer.status);
    expect(new Set(answers.map(idOf)).size, 'one order id for every answer').toBe(1);
    expect(await countOrders()).toBe(before + 1);
  });

  it('concurrent POST /orders with one Idempotency-Key but different bodies create one order and refuse the others with 422', async () => {
    const before = await countOrders();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        send(stack.orders.baseUrl, { method: 'POST', path: ORDERS_ROUTE, headers: { ...JSON_HEADERS, 'idempotency-key': key }, body: JSON.stringify({ user_id: userId, total: `${i}.00` }) }),
      ),
    );
    const accepted = answers.filter((a) => a.status === 200 || a.status === 201);
    const refused = answers.filter((a) => a.status === 422);
    expect(accepted.length + refused.length, answers.map((a) => `${a.status} ${a.text}`).join('\n')).toBe(RACERS);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((a) => (JSON.parse(a.text) as { total: string }).total)).size, 'every accepted answer is the one order').toBe(1);
    for (const answer of refused) expect(contractErrorProblem(answer)).toBeUndefined();
    expect(await countOrders()).toBe(before + 1);
  });

  it(`${RACERS} concurrent POST /users with one Idempotency-Key create exactly one user, and all get it (none 409)`, async () => {
    const key = randomUUID();
    const email = `keyed-${key.slice(0, 8)}@example.test`;
    const body = JSON.stringify({ email, name: 'Keyed Racer' });
    const answers = await Promise.all(
      Array.from({ length: RACERS }, () => send(stack.users.baseUrl, { method: 'POST', path: USERS_ROUTE, headers: { ...JSON_HEADERS, 'idempotency-key': key }, body })),
    );
    expect(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.text}`)).toEqual([]);
    expect(new Set(answers.map(idOf)).size, 'one user id for every answer').toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'false')).toHaveLength(1);
    const rows = await queryOnce<{ n: string }>(stack.usersDb.url, 'SELECT count(*)::text AS n FROM users WHERE email = $1', [email]);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it(`${RACERS} concurrent POST /users with one email (in different letter cases) give one 201 and ${RACERS - 1} 409`, async () => {
    const local = `same-${randomUUID().slice(0, 8)}`;
    const answers = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => {
        const email = i % 2 === 0 ? `${local}@example.test` : `${local.toUpperCase()}@Example.TEST`;
        return send(stack.users.baseUrl, { method: 'POST', path: USERS_ROUTE, headers: JSON_HEADERS, body: JSON.stringify({ email, name: `Racer ${i}` }) });
      }),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409), answers.map((a) => `${a.status} ${a.text}`).join('\n')).toHaveLength(RACERS - 1);
    for (const answer of answers.filter((a) => a.status === 409)) expect(contractErrorProblem(answer)).toBeUndefined();
    const rows = await queryOnce<{ n: string }>(stack.usersDb.url, 'SELECT count(*)::text AS n FROM users WHERE lower(email) = lower($1)', [`${local}@example.test`]);
    expect(Number(rows[0]!.n)).toBe(1);
  });
});
