/**
 * The in-process user cache across replicas, against real Postgres and Redis: three
 * user-service replicas share a database and a Redis key prefix (as in a deployment). B and C
 * reach Redis directly, as containers do; A reaches it through a FaultProxy so the test can
 * take Redis away from it. The proxy forwards in this test's own event loop, one hop more than
 * a deployment has, so the cross-replica rounds run between B and C.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startService, type RunningService } from '@platform/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../../tools/testing/databases.js';
import { eventually } from '../../../tools/testing/eventually.js';
import { requestJson } from '../../../tools/testing/http.js';
import { ecsField, readLogLines } from '../../../tools/testing/log-lines.js';
import { deleteRedisKeys, REDIS_URL, uniqueRedisPrefix } from '../../../tools/testing/redis.js';
import { runCleanups, type Cleanups } from '../../../tools/testing/services.js';
import { FaultProxy } from '../../../tools/testing/tcp-proxy.js';
import { userService } from '../src/service.js';

const cleanups: Cleanups = [];
let a: RunningService; // Redis through the proxy
let b: RunningService; // Redis direct
let c: RunningService; // Redis direct
let proxy: FaultProxy;
let redis: Redis;
let prefix: string;
let logFileA: string;
const logFiles = new Map<RunningService, string>();
let seq = 0;

beforeAll(async () => {
  const database = await createScratchDatabase('coherence');
  cleanups.push(() => database.drop());
  prefix = uniqueRedisPrefix('coherence');
  cleanups.push(() => deleteRedisKeys(prefix));
  const logDir = await mkdtemp(path.join(tmpdir(), 'coherence-logs-'));
  cleanups.push(() => rm(logDir, { recursive: true, force: true }));
  proxy = await FaultProxy.start(new URL(REDIS_URL).host);
  cleanups.push(() => proxy.close());
  const env = { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, REDIS_KEY_PREFIX: prefix, SERVICE_ENVIRONMENT: 'test', REDIS_COMMAND_TIMEOUT_MS: '50' };
  logFileA = path.join(logDir, 'a.log');
  a = await startService(userService, { ...env, REDIS_URL: `redis://127.0.0.1:${proxy.port}`, LOG_FILE: logFileA }, { stdout: false, syncLogFile: true });
  cleanups.push(() => a.close());
  b = await startService(userService, { ...env, REDIS_URL, LOG_FILE: path.join(logDir, 'b.log') }, { stdout: false, syncLogFile: true });
  cleanups.push(() => b.close());
  c = await startService(userService, { ...env, REDIS_URL, LOG_FILE: path.join(logDir, 'c.log') }, { stdout: false, syncLogFile: true });
  cleanups.push(() => c.close());
  logFiles.set(a, logFileA).set(b, path.join(logDir, 'b.log')).set(c, path.join(logDir, 'c.log'));
  redis = new Redis(REDIS_URL, { keyPrefix: prefix });
  cleanups.push(async () => redis.disconnect());
});
afterAll(() => runCleanups(cleanups));

const get = (service: RunningService, id: number) => requestJson(`${service.url}/users/${id}`, { headers: { 'x-request-id': `coherence-${++seq}` } });
const patch = (service: RunningService, id: number, name: string) => requestJson(`${service.url}/users/${id}`, { method: 'PATCH', body: { name } });

async function createUser(): Promise<number> {
  const res = await requestJson(`${b.url}/users`, { body: { email: `coherence-${Date.now()}-${++seq}@example.com`, name: 'First' } });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

/** The cache tier that answered the request with this id, from the replica's completion line (replica A by default). */
async function tierOf(requestId: string, replica: RunningService = a): Promise<unknown> {
  const line = (await readLogLines(logFiles.get(replica)!)).find((l) => ecsField(l, 'http.request.id') === requestId);
  return line && ecsField(line, 'labels.cache_tier');
}

/** Reads through a replica (A by default) until it answers from its local tier (tracking is on and the user is cached). */
async function warmLocal(id: number, replica: RunningService = a): Promise<void> {
  const warmed = await eventually(async () => {
    const res = await get(replica, id);
    return res.status === 200 && (await tierOf(`coherence-${seq}`, replica)) === 'local';
  }, 10_000);
  const warnings = (await readLogLines(logFiles.get(replica)!)).filter((l) => l['log.level'] !== 'info').map((l) => `${String(l.message)}: ${String(ecsField(l, 'error.message'))}`);
  expect(warmed, `the replica serves the user from its local tier (warnings: ${warnings.join('; ')})`).toBe(true);
}

describe('in-process cache kept coherent by Redis client tracking', () => {
  it('serves a hot user from the local tier, and after a PATCH through one replica the next GET through the other has the new value', async () => {
    const id = await createUser();
    await warmLocal(id, b);
    await warmLocal(id, c);
    for (let round = 1; round <= 20; round++) {
      const [writer, reader] = round % 2 ? [b, c] : [c, b];
      // The reader holds the old value in its local tier: only the invalidation can change its answer.
      await warmLocal(id, reader);
      expect((await patch(writer, id, `Name ${round}`)).status).toBe(200);
      const read = await get(reader, id);
      expect(read.status).toBe(200);
      expect(read.body.name, `round ${round}`).toBe(`Name ${round}`);
    }
  });

  it('a change made in Redis by another client reaches the local tier', async () => {
    const id = await createUser();
    await warmLocal(id);
    const current = (await get(a, id)).body;
    await redis.set(`user:${id}`, JSON.stringify({ ...current, name: 'Written elsewhere' }), 'EX', 60);
    expect((await get(a, id)).body.name).toBe('Written elsewhere');
  });

  it('a lost Redis connection flushes the local tier; reads come from Postgres meanwhile and are current afterwards', async () => {
    const id = await createUser();
    await warmLocal(id);
    proxy.cut('reset');
    try {
      expect((await patch(b, id, 'Changed while A was cut off')).status).toBe(200);
      const during = await get(a, id);
      expect(during.status).toBe(200);
      expect(during.body.name).toBe('Changed while A was cut off');
    } finally {
      proxy.restore();
    }
    expect((await get(a, id)).body.name).toBe('Changed while A was cut off');
  });

  it('with Redis frozen (connections open, no answers), reads give up on Redis after the command timeout and come from Postgres', async () => {
    await warmLocal(await createUser()); // A is connected to Redis again, tracking on
    const id = await createUser();
    proxy.cut('blackhole');
    try {
      for (let i = 0; i < 3; i++) {
        const res = await get(a, id);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id, name: 'First' });
      }
      const lines = await readLogLines(logFileA);
      const failures = lines.filter((l) => l.message === 'cache read failed; using the database').map((l) => String(ecsField(l, 'error.message')));
      expect(failures.some((message) => /timed out/i.test(message)), failures.join('; ')).toBe(true);
    } finally {
      proxy.restore();
    }
    // Afterwards the replica reconnects and uses the cache again.
    expect(await eventually(async () => (await get(a, id)).status === 200 && (await tierOf(`coherence-${seq}`)) !== 'miss', 10_000)).toBe(true);
  });
});
