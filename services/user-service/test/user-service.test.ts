import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../../../tools/testing/http.js';
import { ecsField, logContractViolations, readLogLines } from '../../../tools/testing/log-lines.js';
import { REDIS_URL } from '../../../tools/testing/redis.js';
import { closedPort, startServices, type StartedServices } from '../../../tools/testing/services.js';
import { FaultProxy } from '../../../tools/testing/tcp-proxy.js';

let svc: StartedServices;
let users: string;
let seq = 0;
const uniqueEmail = () => `user${++seq}.${Date.now()}@example.com`;
const createUser = (body: unknown, headers?: Record<string, string>) => requestJson(`${users}`, { body, headers });

beforeAll(async () => {
  svc = await startServices({ env: { SERVICE_ENVIRONMENT: 'test' } });
  users = `${svc.userUrl}/users`;
});
let pool: pg.Pool | undefined;
/** A pool on user-service's own database, to count rows. */
const dbPool = () => (pool ??= new pg.Pool({ connectionString: svc.databaseUrls['user-service'], max: 1 }));
afterAll(async () => {
  await pool?.end();
  await svc?.stop();
});

describe('POST /users with an Idempotency-Key', () => {
  const key = () => `user-key-${++seq}-${Date.now()}`;

  it('same key and same body: the same 201 (same user), marked replayed; one row', async () => {
    const body = { email: uniqueEmail(), name: 'Retry Me' };
    const headers = { 'idempotency-key': key() };
    const first = await createUser(body, headers);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBe('false');
    // Spelled differently but meaning the same: the name is stored trimmed.
    const again = await createUser({ ...body, name: '  Retry Me ' }, headers);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const { rows } = await dbPool().query('SELECT count(*)::int AS n FROM users WHERE email = $1', [body.email]);
    expect(rows[0].n).toBe(1);
  });

  it('same key, different body: 422 naming the key, nothing created', async () => {
    const headers = { 'idempotency-key': key() };
    expect((await createUser({ email: uniqueEmail(), name: 'Original' }, headers)).status).toBe(201);
    const other = uniqueEmail();
    const res = await createUser({ email: other, name: 'Original' }, headers);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ statusCode: 422, error: 'Unprocessable Entity', message: `Idempotency-Key "${headers['idempotency-key']}" was already used with a different request` });
    const { rows } = await dbPool().query('SELECT count(*)::int AS n FROM users WHERE email = $1', [other]);
    expect(rows[0].n).toBe(0);
  });

  it('no key: as before, a second POST with the email is a 409; a new key for a taken email too', async () => {
    const body = { email: uniqueEmail(), name: 'Unkeyed' };
    expect((await createUser(body)).status).toBe(201);
    expect((await createUser(body)).status).toBe(409);
    expect((await createUser(body, { 'idempotency-key': key() })).status).toBe(409);
  });

  it.each(['', 'has space', 'x'.repeat(256)])('refuses the key %j with a 400', async (bad) => {
    const res = await createUser({ email: uniqueEmail(), name: 'Bad Key' }, { 'idempotency-key': bad });
    expect(res.status).toBe(400);
  });
});

describe('POST /users', () => {
  it('creates a user: 201 with id, email, name, createdAt', async () => {
    const email = uniqueEmail();
    const res = await createUser({ email, name: 'Ada' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), email, name: 'Ada', createdAt: expect.any(String) });
    expect(Number.isNaN(Date.parse(res.body.createdAt))).toBe(false);
  });

  it.each([
    ['missing name', { email: 'x@example.com' }],
    ['missing email', { name: 'X' }],
    ['invalid email', { email: 'not-an-email', name: 'X' }],
    ['blank name', { email: 'blank@example.com', name: '   ' }],
    ['number as name', { email: 'n@example.com', name: 42 }],
    ['array body', [{ email: 'a@example.com', name: 'A' }]],
  ])('400 on %s', async (_, body) => {
    const res = await createUser(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
  });

  it('400 on malformed JSON, 4xx on a non-JSON body', async () => {
    const malformed = await requestJson(users, { body: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.statusCode).toBe(400);
    const text = await requestJson(users, { body: 'email=a', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBeGreaterThanOrEqual(400);
    expect(text.status).toBeLessThan(500);
  });

  it('409 when the email exists in any case', async () => {
    const email = uniqueEmail();
    expect((await createUser({ email, name: 'First' })).status).toBe(201);
    const res = await createUser({ email: email.toUpperCase(), name: 'Second' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('already exists') });
  });
});

describe('GET /users/:id', () => {
  it('200 with the user, 404 when unknown', async () => {
    const created = (await createUser({ email: uniqueEmail(), name: 'Grace' })).body;
    const res = await requestJson(`${users}/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
    const missing = await requestJson(`${users}/987654`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'user 987654 not found' });
  });

  it.each(['abc', '0', '-1', '1.5', '1e3', '%20'])('400 when id is %s', async (id) => {
    const res = await requestJson(`${users}/${id}`);
    expect(res.status).toBe(400);
    expect(res.body.statusCode).toBe(400);
  });

  it('404, not 5xx, for an id beyond any stored id', async () => {
    expect((await requestJson(`${users}/99999999999999999999`)).status).toBe(404);
  });

  it('serves a cached user from Redis (cache-aside with a TTL)', async () => {
    const created = (await createUser({ email: uniqueEmail(), name: 'Cached' })).body;
    expect((await requestJson(`${users}/${created.id}`)).status).toBe(200); // miss: fills the cache
    const redis = new Redis(REDIS_URL);
    try {
      const ttl = await redis.ttl(`${svc.redisKeyPrefixes['user-service']}user:${created.id}`);
      expect(ttl).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
    // Remove the row behind the service's back: only the cache can still answer.
    const db = new pg.Client({ connectionString: svc.databaseUrls['user-service'] });
    await db.connect();
    await db.query('DELETE FROM users WHERE id = $1', [created.id]);
    await db.end();
    const hit = await requestJson(`${users}/${created.id}`);
    expect(hit.status).toBe(200);
    expect(hit.body).toEqual(created);
  });

  it('invalidates the cached user when it changes', async () => {
    const created = (await createUser({ email: uniqueEmail(), name: 'Before' })).body;
    expect((await requestJson(`${users}/${created.id}`)).body.name).toBe('Before'); // cached now
    const patched = await requestJson(`${users}/${created.id}`, { method: 'PATCH', body: { name: 'After' } });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe('After');
    expect((await requestJson(`${users}/${created.id}`)).body.name).toBe('After');
  });

  it('PATCH: 404 unknown, 409 taken email, 400 empty change', async () => {
    const a = (await createUser({ email: uniqueEmail(), name: 'A' })).body;
    const b = (await createUser({ email: uniqueEmail(), name: 'B' })).body;
    expect((await requestJson(`${users}/987655`, { method: 'PATCH', body: { name: 'X' } })).status).toBe(404);
    expect((await requestJson(`${users}/${b.id}`, { method: 'PATCH', body: { email: a.email.toUpperCase() } })).status).toBe(409);
    expect((await requestJson(`${users}/${b.id}`, { method: 'PATCH', body: {} })).status).toBe(400);
  });
});

describe('probes, metrics, request ids', () => {
  it('healthz 200, readyz 200 naming both dependencies up', async () => {
    expect((await requestJson(`${svc.userUrl}/healthz`)).status).toBe(200);
    const ready = await requestJson(`${svc.userUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up' } });
  });

  it('unknown routes answer a JSON 404', async () => {
    const res = await requestJson(`${svc.userUrl}/nope`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Route GET /nope not found' });
  });

  it('counts requests and latency by route and status on /metrics', async () => {
    await requestJson(`${users}/424242`);
    const text = (await requestJson(`${svc.userUrl}/metrics`)).body as string;
    const series = (name: string) =>
      text.split('\n').filter((l) => l.startsWith(`${name}{`) && l.includes('method="GET"') && l.includes('route="/users/:id"') && l.includes('status_code="404"'));
    expect(series('http_requests_total').map((l) => Number(l.split(' ').pop()))).toEqual([expect.any(Number)]);
    expect(Number(series('http_requests_total')[0]!.split(' ').pop())).toBeGreaterThanOrEqual(1);
    expect(series('http_request_duration_seconds_bucket').length).toBeGreaterThan(5);
    expect(series('http_request_duration_seconds_count')).toHaveLength(1);
  });

  it('echoes a sane x-request-id and replaces an insane one with a UUID', async () => {
    const sane = await requestJson(`${svc.userUrl}/healthz`, { headers: { 'x-request-id': 'abc.DEF_123-x' } });
    expect(sane.headers.get('x-request-id')).toBe('abc.DEF_123-x');
    for (const bad of ['has space', 'a'.repeat(129), 'semi;colon', '']) {
      const res = await requestJson(`${svc.userUrl}/healthz`, { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    const none = await requestJson(`${svc.userUrl}/healthz`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('logs', () => {
  it('every line a request writes satisfies the log contract and carries its request id', async () => {
    const created = await createUser({ email: uniqueEmail(), name: 'Logged' }, { 'x-request-id': 'log-create-1' });
    await requestJson(`${users}/${created.body.id}`, { headers: { 'x-request-id': 'log-fetch-1' } });
    await createUser({ email: 'bad' }, { 'x-request-id': 'log-bad-1' });
    const lines = await readLogLines(svc.logFiles['user-service']);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(logContractViolations(line, 'user-service'), JSON.stringify(line)).toEqual([]);
    for (const id of ['log-create-1', 'log-fetch-1', 'log-bad-1']) {
      const own = lines.filter((l) => ecsField(l, 'http.request.id') === id);
      expect(own.map((l) => l.message)).toContain('request completed');
      // At most one info line per request: the domain event rides on the completion line.
      expect(own.filter((l) => l['log.level'] === 'info'), id).toHaveLength(1);
    }
    expect(lines.find((l) => ecsField(l, 'http.request.id') === 'log-create-1' && l['event.action'] === 'user_created')).toMatchObject({
      'user.id': String(created.body.id),
      'service.environment': 'test',
    });
    expect(lines.find((l) => ecsField(l, 'http.request.id') === 'log-fetch-1' && l['event.action'] === 'user_fetched')).toMatchObject({
      'user.id': String(created.body.id),
    });
  });
});

describe('when a dependency is down', () => {
  let down: StartedServices;
  let postgresProxy: FaultProxy;

  beforeAll(async () => {
    postgresProxy = await FaultProxy.start('127.0.0.1:5432');
    const redisPort = await closedPort();
    down = await startServices({
      serviceEnv: { 'user-service': { REDIS_URL: `redis://127.0.0.1:${redisPort}` } },
    });
  });
  afterAll(async () => {
    await down?.stop();
    await postgresProxy?.close();
  });

  it('keeps serving users from Postgres while Redis is unreachable, and readyz names redis', async () => {
    const url = `${down.userUrl}/users`;
    const created = await requestJson(url, { body: { email: uniqueEmail(), name: 'NoCache' } });
    expect(created.status).toBe(201);
    const fetched = await requestJson(`${url}/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
    const ready = await requestJson(`${down.userUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'redis is not answering' });
  });

  it('answers readyz 503 naming postgres when Postgres becomes unreachable', async () => {
    const db = new URL(down.databaseUrls['user-service']);
    db.port = String(postgresProxy.port);
    const viaProxy = await startServices({ serviceEnv: { 'user-service': { DATABASE_URL: db.toString() } } });
    try {
      expect((await requestJson(`${viaProxy.userUrl}/readyz`)).status).toBe(200);
      await postgresProxy.close();
      const ready = await requestJson(`${viaProxy.userUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body.message).toBe('postgres is not answering');
      // An outage is a 503 naming the dependency, not a bogus 404 or an opaque 500.
      const read = await requestJson(`${viaProxy.userUrl}/users/1`);
      expect(read.status).toBe(503);
      expect(read.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'postgres is not answering' });
    } finally {
      await viaProxy.stop();
    }
  });
});
