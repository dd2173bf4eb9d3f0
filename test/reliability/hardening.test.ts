/**
 * Issue 16: bad input is a 4xx naming the field, pre-routing errors carry the contract body and
 * a request id, messages hold no email or internal codes, an unexpected 500 keeps its details
 * in the log, and the order list is bounded by its limit. Real Postgres and Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_LIST_LIMIT } from '@platform/order-service/service';
import { queryOnce } from '../../tools/testing/databases.js';
import { JSON_HEADERS, contractErrorProblem, send, sendRaw } from '../../tools/testing/http.js';
import { startServices, type StartedServices } from '../../tools/testing/services.js';

let svc: StartedServices;

beforeAll(async () => {
  svc = await startServices();
});
afterAll(async () => {
  await svc?.stop();
});

const postUser = (body: string) => send(svc.userUrl, { method: 'POST', path: '/users', headers: JSON_HEADERS, body });

describe('text fields and unknown properties', () => {
  it.each(['a\\u0000b', 'a\\u0007b', 'line\\nbreak', 'cr\\rhere', 'lone \\ud800 surrogate', 'del\\u007f'])('refuses name "%s" with a 400 naming the field', async (name) => {
    const answer = await postUser(`{"email":"ctl@example.test","name":"${name}"}`);
    expect(answer.status, answer.text).toBe(400);
    expect(contractErrorProblem(answer)).toBeUndefined();
    expect(JSON.parse(answer.text).message).toMatch(/^body\/name /);
  });

  it.each(['password', 'role', 'isAdmin', 'id', 'createdAt'])('refuses the unknown property %s with a 400 naming it', async (property) => {
    const answer = await postUser(`{"email":"extra-${property}@example.test","name":"Extra","${property}":"x"}`);
    expect(answer.status, answer.text).toBe(400);
    expect(JSON.parse(answer.text).message).toBe(`body must not have property "${property}"`);
  });

  it('a 409 names no email, in the body or the log', async () => {
    const email = 'Taken.Person@example.test';
    expect((await postUser(JSON.stringify({ email, name: 'First' }))).status).toBe(201);
    const again = await postUser(JSON.stringify({ email: email.toLowerCase(), name: 'Second' }));
    expect(again.status).toBe(409);
    expect(again.text.toLowerCase()).not.toContain('taken.person');
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(svc.logFiles['user-service'], 'utf8')).toLowerCase()).not.toContain('taken.person');
  });
});

describe('errors raised before routing', () => {
  it.each([
    ['/users/%ff', 400],
    [`/users/${'1'.repeat(120)}`, 414],
  ])('%s is answered %i in the contract body with a request id', async (path, status) => {
    const answer = await send(svc.userUrl, { method: 'GET', path, headers: { 'x-request-id': 'pre-routing-1' } });
    expect(answer.status).toBe(status);
    expect(contractErrorProblem(answer)).toBeUndefined();
    expect(answer.headers['x-request-id']).toBe('pre-routing-1');
    expect(answer.text).not.toMatch(/FST_/);
  });

  it.each([
    ['bad method', 'BR EW /users/1 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['bare LF in a header', 'GET /users/1 HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n'],
    ['Content-Length -1', 'POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'],
  ])('malformed HTTP (%s) gets a contract 400 with a request id', async (_label, wire) => {
    const reply = await sendRaw(svc.userUrl, Buffer.from(wire, 'latin1'));
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(reply).toMatch(/\r\nx-request-id: [0-9a-f-]{36}\r\n/i);
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));
    expect(body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
  });
});

describe('guarantees no other test held', () => {
  it('an unexpected 500 says "Internal Server Error", never the error\'s own message', async () => {
    const created = await postUser(JSON.stringify({ email: 'before-drop@example.test', name: 'Before' }));
    expect(created.status).toBe(201);
    await queryOnce(svc.databaseUrls['user-service'], 'ALTER TABLE users RENAME TO users_gone');
    try {
      const answer = await send(svc.userUrl, { method: 'GET', path: `/users/${JSON.parse(created.text).id}` });
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.text)).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' });
    } finally {
      await queryOnce(svc.databaseUrls['user-service'], 'ALTER TABLE users_gone RENAME TO users');
    }
  });

  it('GET /orders?user_id= returns at most its limit', async () => {
    await queryOnce(svc.databaseUrls['order-service'], `INSERT INTO orders (user_id, total) SELECT 424242, 1 FROM generate_series(1, ${ORDER_LIST_LIMIT + 5})`);
    const answer = await send(svc.orderUrl, { method: 'GET', path: '/orders?user_id=424242' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).items).toHaveLength(ORDER_LIST_LIMIT);
  });
});

/** Writes `bytes` and keeps the connection open (a slow client), resolving with what the server sends before closing. */
async function trickle(baseUrl: string, bytes: string): Promise<string> {
  const { connect } = await import('node:net');
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes, 'latin1'));
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    socket.on('close', () => resolve(reply));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}

describe('slow clients are bounded by settings', () => {
  it('headers that never finish get a contract 408 once HEADERS_TIMEOUT_MS passes', async () => {
    const slow = await startServices({ env: { HEADERS_TIMEOUT_MS: '1000', RECEIVE_TIMEOUT_MS: '1500' } });
    try {
      const reply = await trickle(slow.userUrl, 'GET /users/1 HTTP/1.1\r\nHost: x\r\nX-Slow: a');
      expect(reply).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(reply).toMatch(/\r\nx-request-id: [0-9a-f-]{36}\r\n/i);
      const body = 'x'.repeat(10);
      const slowBody = await trickle(slow.userUrl, `POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n${body}`);
      expect(slowBody).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await slow.stop();
    }
  }, 20_000);
});
