/**
 * Frozen dependencies (issue 16, points 2 and 3): Postgres or Redis stops answering without
 * closing anything, like a SIGSTOPped server, and resumes later with everything sent to it in
 * the meantime. user-service runs as a real process; FreezingProxy sits between it and each store.
 * - Every answer comes within REQUEST_TIMEOUT_MS (a limit with a margin for a loaded machine).
 * - A 503 on POST /users is never ambiguous: the create commits only while the client waits
 *   (a frozen INSERT is rolled back when Postgres resumes), and where the COMMIT itself was in
 *   flight, a retry with the same Idempotency-Key gets that user, not a 409.
 * - A statement stuck on a lock in a running Postgres is cancelled by Postgres itself
 *   (statement_timeout) before the answer, which is a 503, not a 500.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceByName } from '@platform/contract';
import { FreezingProxy } from '../../tools/testing/freezing-proxy.js';
import { queryOnce } from '../../tools/testing/databases.js';
import { eventually } from '../../tools/testing/eventually.js';
import { contractErrorProblem, send, type HttpAnswer } from '../../tools/testing/http.js';
import type { ServerProcess } from '../../tools/testing/processes.js';
import { REDIS_URL } from '../../tools/testing/redis.js';
import { freshStores, runCleanups, startService, type Cleanups, type ServiceStores } from '../../tools/testing/services.js';

const USERS = serviceByName('user-service').routePrefix;
const REQUEST_TIMEOUT_MS = 3_000;
/** The answer bound with room for a loaded 2-core machine: 20 % of the bound. */
const ANSWER_LIMIT_MS = REQUEST_TIMEOUT_MS * 1.2;
const json = { 'content-type': 'application/json' };

const cleanups: Cleanups = [];
let stores: ServiceStores;
let postgres: FreezingProxy;
let redis: FreezingProxy;
let users: ServerProcess;

beforeAll(async () => {
  stores = await freshStores('frozen_users', 'frozen-users', cleanups);
  postgres = await FreezingProxy.start(new URL(stores.database.url).host);
  cleanups.push(() => postgres.close());
  redis = await FreezingProxy.start(new URL(REDIS_URL).host);
  cleanups.push(() => redis.close());
  users = await startService('user-service', {
    databaseUrl: postgres.urlFor(stores.database.url),
    redisUrl: redis.urlFor(REDIS_URL),
    env: { REDIS_KEY_PREFIX: stores.redisKeyPrefix, REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), LOG_LEVEL: 'error' },
  });
  cleanups.push(() => users.stop());
}, 60_000);

afterAll(async () => {
  postgres?.resume();
  redis?.resume();
  await runCleanups(cleanups);
});

/** A request and how long its answer took. */
async function timed(call: Parameters<typeof send>[1]): Promise<{ answer: HttpAnswer; elapsedMs: number }> {
  const startedAt = performance.now();
  const answer = await send(users.baseUrl, { timeoutMs: 20_000, ...call });
  return { answer, elapsedMs: performance.now() - startedAt };
}

const postUser = (email: string, key?: string) =>
  timed({ method: 'POST', path: USERS, headers: { ...json, ...(key ? { 'idempotency-key': key } : {}) }, body: JSON.stringify({ email, name: 'Frozen' }) });

async function rowsWithEmail(email: string): Promise<number> {
  const [row] = await queryOnce<{ n: string }>(stores.database.url, 'SELECT count(*)::text AS n FROM users WHERE email = $1', [email]);
  return Number(row!.n);
}

/** Resumes Postgres and waits until it has worked through what was held: no backend of the database busy or in a transaction. */
async function resumePostgres(): Promise<void> {
  postgres.resume();
  const settled = await eventually(async () => {
    const busy = await queryOnce<{ n: string }>(
      stores.database.url,
      "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'",
    );
    return busy[0]!.n === '0';
  }, 10_000);
  expect(settled, 'Postgres worked through the held statements').toBe(true);
}

function expect503WithinBound({ answer, elapsedMs }: { answer: HttpAnswer; elapsedMs: number }): void {
  expect(answer.status, answer.text).toBe(503);
  expect(contractErrorProblem(answer)).toBeUndefined();
  expect(elapsedMs, `answered after ${Math.round(elapsedMs)} ms`).toBeLessThanOrEqual(ANSWER_LIMIT_MS);
}

describe('Postgres frozen during POST /users', () => {
  it('frozen before the request: 503 within REQUEST_TIMEOUT_MS; after resume the same key creates one user', async () => {
    const email = 'frozen-before@example.test';
    postgres.freeze();
    try {
      expect503WithinBound(await postUser(email, 'frozen-before-1'));
    } finally {
      await resumePostgres();
    }
    const retry = await postUser(email, 'frozen-before-1');
    expect(retry.answer.status, retry.answer.text).toBe(201);
    expect(await rowsWithEmail(email)).toBe(1);
  }, 60_000);

  it('frozen with the INSERT in flight: 503 within the bound, and the INSERT is rolled back when Postgres resumes', async () => {
    const email = 'frozen-insert@example.test';
    postgres.freezeOnClientBytes('INSERT INTO users');
    try {
      expect503WithinBound(await postUser(email, 'frozen-insert-1'));
      expect(postgres.isFrozen, 'the INSERT was caught in flight').toBe(true);
    } finally {
      await resumePostgres();
    }
    expect(await rowsWithEmail(email), 'nothing committed behind the 503').toBe(0);
    const retry = await postUser(email, 'frozen-insert-1');
    expect(retry.answer.status, retry.answer.text).toBe(201);
    expect(retry.answer.headers['idempotent-replayed']).toBe('false');
    expect(await rowsWithEmail(email)).toBe(1);
  }, 60_000);

  it('frozen with the COMMIT in flight: the user exists after the 503, and a retry with the same key gets it (not a 409), one row', async () => {
    const email = 'frozen-commit@example.test';
    postgres.freezeOnClientBytes('COMMIT');
    let refused: { answer: HttpAnswer; elapsedMs: number };
    try {
      refused = await postUser(email, 'frozen-commit-1');
      expect(postgres.isFrozen, 'the COMMIT was caught in flight').toBe(true);
    } finally {
      await resumePostgres();
    }
    expect503WithinBound(refused);
    // The one window no server can close: the COMMIT was on its way when the client gave up.
    expect(await rowsWithEmail(email)).toBe(1);
    const withoutKey = await postUser(email);
    expect(withoutKey.answer.status, 'without the key, a retry cannot tell').toBe(409);
    const retry = await postUser(email, 'frozen-commit-1');
    expect(retry.answer.status, retry.answer.text).toBe(201);
    expect(retry.answer.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(retry.answer.text)).toMatchObject({ email });
    expect(await rowsWithEmail(email)).toBe(1);
  }, 60_000);
});

describe('a statement waiting inside a running Postgres', () => {
  it('is cancelled by Postgres itself within the bound: GET and POST answer 503 (not 500), nothing is left waiting or committed', async () => {
    const { answer: created } = await postUser('locked-reader@example.test');
    expect(created.status, created.text).toBe(201);
    const id = (JSON.parse(created.text) as { id: number }).id;
    const email = 'locked-out@example.test';
    const locker = new pg.Client({ connectionString: stores.database.url });
    await locker.connect();
    const waitingOnLocks = async () =>
      Number(
        (
          await queryOnce<{ n: string }>(
            stores.database.url,
            "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )
        )[0]!.n,
      );
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE'); // every read and write of users waits
      // The local tier is bypassed by reading a user nobody has read yet (never cached).
      for (const call of [() => timed({ method: 'GET', path: `${USERS}/${id}` }), () => postUser(email, 'locked-1')]) {
        const refused = await call();
        expect503WithinBound(refused);
        expect(await waitingOnLocks(), 'statements of the service still waiting on the lock after its 503').toBe(0);
      }
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect(await rowsWithEmail(email)).toBe(0);
  }, 60_000);
});

describe('Redis frozen', () => {
  it('reads of cached and uncached users are answered from Postgres within the bound, and after resume', async () => {
    const created: number[] = [];
    for (const email of ['redis-cached@example.test', 'redis-uncached@example.test']) {
      const { answer } = await postUser(email);
      expect(answer.status, answer.text).toBe(201);
      created.push((JSON.parse(answer.text) as { id: number }).id);
    }
    const [cached, uncached] = created as [number, number];
    expect((await timed({ method: 'GET', path: `${USERS}/${cached}` })).answer.status).toBe(200); // now in Redis and the local tier
    redis.freeze();
    try {
      for (let round = 0; round < 3; round++) {
        for (const id of [cached, uncached]) {
          const { answer, elapsedMs } = await timed({ method: 'GET', path: `${USERS}/${id}` });
          expect(answer.status, answer.text).toBe(200);
          expect((JSON.parse(answer.text) as { id: number }).id).toBe(id);
          expect(elapsedMs, `GET answered after ${Math.round(elapsedMs)} ms`).toBeLessThanOrEqual(ANSWER_LIMIT_MS);
        }
      }
    } finally {
      redis.resume();
    }
    for (const id of [cached, uncached]) expect((await timed({ method: 'GET', path: `${USERS}/${id}` })).answer.status).toBe(200);
    expect(users.child.exitCode).toBeNull();
  }, 60_000);
});
