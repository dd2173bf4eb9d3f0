/**
 * The services never write a password or a credentialed connection string:
 * both run with credentials in DATABASE_URL and REDIS_URL (a Postgres role with
 * a password and a Redis ACL user, created for this test and removed after),
 * are driven through every route, error and dependency failure, and every line
 * they write (log files, stdout, stderr, start-up errors) is scanned.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSecrets } from '../../constructs/security/index.js';
import { POSTGRES_ADMIN_URL, queryOnce } from '../../tools/testing/databases.js';
import { waitForOk } from '../../tools/testing/http.js';
import { REDIS_URL, uniqueRedisPrefix } from '../../tools/testing/redis.js';
import { closedPort, spawnService, startServices, type ServiceName, type SpawnedService } from '../../tools/testing/services.js';
import { FaultProxy } from '../../tools/testing/tcp-proxy.js';

const SERVICES: readonly ServiceName[] = ['user-service', 'order-service'];

/** Letters and digits, as the platform generates them. */
const generatedPassword = () => `Sx${randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '')}9q`;

interface Credentials {
  readonly user: string;
  /** As it appears in the URL (percent-encoded where needed). */
  readonly encoded: string;
  /** As the client decodes it. */
  readonly decoded: string;
}

/** A Postgres role and database of its own, owned by a login role with a password. */
async function createPostgresLogin(label: string, password: Credentials['decoded']) {
  const suffix = randomBytes(5).toString('hex');
  const role = `sec_${label}_${suffix}`;
  const database = `sec_${label}_${suffix}`;
  await queryOnce(POSTGRES_ADMIN_URL, `CREATE ROLE ${role} LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
  await queryOnce(POSTGRES_ADMIN_URL, `CREATE DATABASE ${database} OWNER ${role}`);
  const credentials: Credentials = { user: role, encoded: encodeURIComponent(password), decoded: password };
  return {
    credentials,
    url: (port = 5432) => `postgres://${role}:${credentials.encoded}@127.0.0.1:${port}/${database}`,
    async drop() {
      await queryOnce(POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await queryOnce(POSTGRES_ADMIN_URL, `DROP ROLE IF EXISTS ${role}`);
    },
  };
}

/** A Redis ACL user limited to `keyPrefix`, removed by `drop()`. */
async function createRedisUser(label: string, password: string, keyPrefix: string) {
  const user = `sec-${label}-${randomBytes(5).toString('hex')}`;
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, `~${keyPrefix}*`, '&*', '+@all', '-@admin', '-@dangerous', '+info');
  } finally {
    admin.disconnect();
  }
  const credentials: Credentials = { user, encoded: encodeURIComponent(password), decoded: password };
  return {
    credentials,
    url: (port = Number(new URL(REDIS_URL).port || 6379), secret = credentials.encoded) => `redis://${user}:${secret}@127.0.0.1:${port}`,
    async drop() {
      const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        await client.call('ACL', 'DELUSER', user);
      } finally {
        client.disconnect();
      }
    },
  };
}

/** Each line that gives a secret away: a known password in any form, or any credentialed URL. */
function leaks(lines: readonly string[], secrets: readonly string[]): string[] {
  const found: string[] = [];
  lines.forEach((line, index) => {
    for (const secret of secrets) if (line.includes(secret)) found.push(`line ${index + 1} contains a password (${secret.slice(0, 3)}***)`);
    for (const finding of findSecrets([line])) {
      if (finding.rule === 'credentials in a URL' || finding.rule === 'PEM private key') found.push(`line ${index + 1}: ${finding.rule} ${finding.excerpt}`);
    }
  });
  return found;
}

/** Every form a password can take in a line: as set, URL-encoded, decoded, and inside a Basic credential. */
function formsOf(credentials: Credentials): string[] {
  return [credentials.encoded, credentials.decoded, Buffer.from(`${credentials.user}:${credentials.decoded}`).toString('base64')];
}

async function logFileLines(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (path: string) => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() || entry.isSymbolicLink()) lines.push(...(await readFile(child, 'utf8').catch(() => '')).split('\n').filter(Boolean));
    }
  };
  await walk(dir);
  return lines;
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('service logs never contain credentials', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  let postgres: Record<ServiceName, Awaited<ReturnType<typeof createPostgresLogin>>>;
  let redis: Record<ServiceName, Awaited<ReturnType<typeof createRedisUser>>>;
  let prefixes: Record<ServiceName, string>;
  let secrets: string[];

  beforeAll(async () => {
    // One password as the platform generates it, one with characters a URL must encode.
    const passwords: Record<ServiceName, string> = { 'user-service': generatedPassword(), 'order-service': `p@ss:w0rd/${generatedPassword()}#%` };
    prefixes = { 'user-service': uniqueRedisPrefix('sec-user'), 'order-service': uniqueRedisPrefix('sec-order') };
    postgres = {} as typeof postgres;
    redis = {} as typeof redis;
    for (const name of SERVICES) {
      postgres[name] = await createPostgresLogin(name.replace('-service', ''), passwords[name]);
      cleanups.push(() => postgres[name].drop());
      redis[name] = await createRedisUser(name.replace('-service', ''), `R${passwords[name]}`, prefixes[name]);
      cleanups.push(() => redis[name].drop());
    }
    secrets = SERVICES.flatMap((name) => [...formsOf(postgres[name].credentials), ...formsOf(redis[name].credentials)]);
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('while serving every route, bad input, Basic credentials and both dependencies failing', { timeout: 120_000 }, async () => {
    // Dependencies reached through proxies this test can cut.
    const pgProxy = await FaultProxy.start('127.0.0.1:5432');
    const redisProxy = await FaultProxy.start(`127.0.0.1:${Number(new URL(REDIS_URL).port || 6379)}`);
    cleanups.push(() => pgProxy.close(), () => redisProxy.close());
    const env = (name: ServiceName) => ({
      DATABASE_URL: postgres[name].url(name === 'user-service' ? pgProxy.port : 5432),
      REDIS_URL: redis[name].url(name === 'user-service' ? redisProxy.port : undefined),
      REDIS_KEY_PREFIX: prefixes[name],
      LOG_LEVEL: 'trace',
    });
    const logDir = await mkdtemp(join(tmpdir(), 'security-logs-'));
    cleanups.push(() => rm(logDir, { recursive: true, force: true }));
    const svc = await startServices({ logDir, serviceEnv: { 'user-service': env('user-service'), 'order-service': env('order-service') } });
    cleanups.push(() => svc.stop());

    // The services really authenticate with these credentials.
    expect((await fetch(`${svc.userUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${svc.orderUrl}/readyz`)).status).toBe(200);
    const activity = await queryOnce<{ usename: string }>(POSTGRES_ADMIN_URL, 'SELECT DISTINCT usename FROM pg_stat_activity WHERE usename LIKE $1', ['sec_%']);
    const roles = activity.map((r) => r.usename);
    expect(roles).toEqual(expect.arrayContaining(SERVICES.map((name) => postgres[name].credentials.user)));

    const basic = `Basic ${Buffer.from(`${postgres['user-service'].credentials.user}:${postgres['user-service'].credentials.decoded}`).toString('base64')}`;
    const user = (await (await fetch(`${svc.userUrl}/users`, { ...json({ email: `sec-${randomBytes(4).toString('hex')}@example.com`, name: 'Sec' }) })).json()) as { id: number; email: string };
    const statuses = [
      (await fetch(`${svc.userUrl}/users`, json({ email: user.email, name: 'Again' }))).status,
      (await fetch(`${svc.userUrl}/users`, json({ email: 'not-an-email' }))).status,
      (await fetch(`${svc.userUrl}/users/${user.id}`, { headers: { authorization: basic, cookie: `session=${postgres['user-service'].credentials.encoded}` } })).status,
      (await fetch(`${svc.userUrl}/users/${user.id}`)).status,
      (await fetch(`${svc.userUrl}/users/999999999`)).status,
      (await fetch(`${svc.userUrl}/users/abc`)).status,
      (await fetch(`${svc.orderUrl}/orders`, { ...json({ user_id: user.id, total: '12.50' }), headers: { 'content-type': 'application/json', 'idempotency-key': 'sec-1' } })).status,
      (await fetch(`${svc.orderUrl}/orders`, { ...json({ user_id: user.id, total: '13.50' }), headers: { 'content-type': 'application/json', 'idempotency-key': 'sec-1' } })).status,
      (await fetch(`${svc.orderUrl}/orders`, json({ user_id: 999999999, total: '1.00' }))).status,
      (await fetch(`${svc.orderUrl}/orders`, json({ user_id: 'x', total: -1 }))).status,
      (await fetch(`${svc.orderUrl}/orders?user_id=${user.id}`)).status,
      (await fetch(`${svc.orderUrl}/metrics`)).status,
    ];
    expect(statuses).toEqual([409, 400, 200, 200, 404, 400, 201, 422, 422, 400, 200, 200]);

    // Redis, then Postgres, go away under user-service: errors get logged, readiness names them.
    await redisProxy.close();
    expect((await fetch(`${svc.userUrl}/users/${user.id}`)).status).toBe(200);
    expect((await fetch(`${svc.userUrl}/readyz`)).status).toBe(503);
    await pgProxy.close();
    expect((await fetch(`${svc.userUrl}/users/${user.id}`)).status).toBeGreaterThanOrEqual(500);
    expect((await fetch(`${svc.orderUrl}/orders`, json({ user_id: 999999998, total: '2.00' }))).status).toBe(503);
    await svc.stop();

    const lines = await logFileLines(logDir);
    expect(lines.length).toBeGreaterThan(30);
    // The connection strings did reach the logs, masked: the scan looked where a leak would be.
    for (const name of SERVICES) expect(lines.some((line) => line.includes(`${postgres[name].credentials.user}:***@`)), name).toBe(true);
    expect(lines.some((line) => /"log\.level":"error"|"level":"error"/.test(line) || /"error"/.test(line))).toBe(true);
    expect(leaks(lines, secrets)).toEqual([]);
  });

  it('in the real processes: stdout, stderr and log files, running, failing to start and shutting down', { timeout: 120_000 }, async () => {
    const logDir = await mkdtemp(join(tmpdir(), 'security-process-logs-'));
    cleanups.push(() => rm(logDir, { recursive: true, force: true }));
    const closed = await closedPort();
    const run = async (name: ServiceName, env: Record<string, string>): Promise<SpawnedService> => {
      const child = spawnService(name, { HOST: '127.0.0.1', LOG_LEVEL: 'trace', REDIS_KEY_PREFIX: prefixes[name], ...env });
      cleanups.push(async () => {
        child.child.kill('SIGKILL');
      });
      return child;
    };
    const port = await closedPort();
    const userService = await run('user-service', {
      PORT: String(port),
      DATABASE_URL: postgres['user-service'].url(),
      REDIS_URL: redis['user-service'].url(),
      LOG_FILE: join(logDir, 'user-service', 'user-service.log'),
    });
    await waitForOk(`http://127.0.0.1:${port}/readyz`, 30_000);
    await fetch(`http://127.0.0.1:${port}/users`, json({ email: 'x' }));
    await fetch(`http://127.0.0.1:${port}/users/1`);
    userService.child.kill('SIGTERM');
    expect(await userService.exited).toBe(0);

    const failures = [
      // Postgres unreachable: start-up fails on the migrations.
      await run('order-service', {
        PORT: '0',
        DATABASE_URL: postgres['order-service'].url(closed),
        REDIS_URL: redis['order-service'].url(),
        USER_SERVICE_URL: 'http://127.0.0.1:9',
      }),
      // A URL the configuration refuses, credentials included.
      await run('order-service', {
        PORT: '0',
        DATABASE_URL: `mysql://${postgres['order-service'].credentials.user}:${postgres['order-service'].credentials.encoded}@127.0.0.1/db`,
        REDIS_URL: redis['order-service'].url(),
        USER_SERVICE_URL: 'http://127.0.0.1:9',
      }),
      // A port out of range: the URL itself does not parse.
      await run('user-service', {
        PORT: '0',
        DATABASE_URL: `postgres://${postgres['user-service'].credentials.user}:${postgres['user-service'].credentials.encoded}@127.0.0.1:99999/db`,
        REDIS_URL: redis['user-service'].url(),
      }),
    ];
    const codes = await Promise.all(failures.map((f) => f.exited));
    expect(codes).toEqual([1, 1, 1]);

    // Redis refusing the password: the service runs, readiness says which dependency is down.
    const wrongRedisPort = await closedPort();
    const wrongPassword = `Wrong${generatedPassword()}`;
    const wrongRedis = await run('user-service', {
      PORT: String(wrongRedisPort),
      DATABASE_URL: postgres['user-service'].url(),
      REDIS_URL: redis['user-service'].url(undefined, wrongPassword),
    });
    await waitForOk(`http://127.0.0.1:${wrongRedisPort}/healthz`, 30_000);
    const ready = await fetch(`http://127.0.0.1:${wrongRedisPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/redis/i);
    wrongRedis.child.kill('SIGTERM');
    await wrongRedis.exited;

    const outputs = [userService, ...failures, wrongRedis].flatMap((p) => p.output().split('\n').filter(Boolean));
    // The failures said what was wrong (so there was something to scan) ...
    expect(failures.map((f) => f.output())).toEqual([expect.stringMatching(/\S/), expect.stringMatching(/DATABASE_URL/), expect.stringMatching(/DATABASE_URL/)]);
    // ... and neither they nor any other line gave a credential away.
    const lines = [...outputs, ...(await logFileLines(logDir))];
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.some((line) => line.includes(`${postgres['order-service'].credentials.user}:***@127.0.0.1:${closed}`))).toBe(true);
    expect(leaks(lines, [...secrets, wrongPassword])).toEqual([]);
  });

  it('the scan finds a password however a line would carry it', () => {
    const { credentials } = postgres['order-service'];
    const url = postgres['order-service'].url();
    expect(leaks([`{"msg":"connecting to ${url}"}`], secrets)).not.toEqual([]);
    expect(leaks([`{"password":"${credentials.decoded}"}`], secrets)).not.toEqual([]);
    expect(leaks([`{"authorization":"Basic ${formsOf(credentials)[2]}"}`], secrets)).not.toEqual([]);
    expect(leaks(['{"url":"redis://someone:elsewhere1@10.0.0.1:6379"}'], [])).not.toEqual([]);
    expect(leaks(['{"url":"postgres://users:***@postgres:5432/users"}'], secrets)).toEqual([]);
  });
});
