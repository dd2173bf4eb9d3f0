import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDeclaration } from '../services/shared/src/catalog.js';
import { passwordVariableOf, renderPostgresInitScript } from '../constructs/postgres.js';
import { REDIS_PROBE_USER, redisKeyPrefixOf, renderRedisAcl, renderRedisConfig } from '../constructs/redis.js';

/**
 * The generated Postgres init script and Redis configuration, run by the real
 * servers on this machine (Postgres on 127.0.0.1:5432 with trust auth; a private
 * redis-server started per test file), so what the containers get is known to work.
 */

const run = randomBytes(4).toString('hex');
const work = mkdtempSync(join(tmpdir(), 'platform-datastores-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const services: ServiceDeclaration[] = [
  { name: `t${run}-users`, port: 8000, routePrefix: '/u', database: `t${run}_users`, calls: {} },
  { name: `t${run}-orders`, port: 8000, routePrefix: '/o', database: `t${run}_orders`, calls: {} },
];

function psql(user: string, database: string, sql: string) {
  return spawnSync('psql', ['-h', '127.0.0.1', '-U', user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { encoding: 'utf8' });
}

describe('Postgres init script', () => {
  const [users, orders] = [services[0]!.database, services[1]!.database];

  beforeAll(() => {
    const script = join(work, 'init.sh');
    writeFileSync(script, renderPostgresInitScript(services), { mode: 0o755 });
    const env = {
      ...process.env,
      POSTGRES_USER: 'postgres',
      PGHOST: '127.0.0.1',
      [passwordVariableOf(users)]: "it's a \"quoted\" secret",
      [passwordVariableOf(orders)]: randomBytes(16).toString('hex'),
    };
    const result = spawnSync('sh', [script], { env, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
  });

  afterAll(() => {
    for (const db of [users, orders]) {
      psql('postgres', 'postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      psql('postgres', 'postgres', `DROP ROLE IF EXISTS "${db}"`);
    }
  });

  it('creates one login role per service that owns its own database', () => {
    for (const db of [users, orders]) {
      expect(psql('postgres', 'postgres', `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${db}'`).stdout.trim()).toBe(db);
      const own = psql(db, db, 'CREATE TABLE t (id int); INSERT INTO t VALUES (1); SELECT count(*) FROM t');
      expect(own.status, own.stderr).toBe(0);
      expect(own.stdout.trim().split('\n').at(-1)).toBe('1');
    }
  });

  it("keeps each service out of the other's database", () => {
    const intrusion = psql(users, orders, 'SELECT 1');
    expect(intrusion.status).not.toBe(0);
    expect(intrusion.stderr).toMatch(/permission denied for database/);
    expect(psql(orders, users, 'SELECT 1').stderr).toMatch(/permission denied for database/);
  });

  it('sets the password from the environment, quotes and all', () => {
    const stored = psql('postgres', 'postgres', `SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = '${users}'`);
    expect(stored.stdout.trim()).toBe('t');
  });

  it('never writes a password into the script itself', () => {
    const script = renderPostgresInitScript(services);
    expect(script).toContain(`"$${passwordVariableOf(users)}"`);
    expect(script).not.toMatch(/PASSWORD '[^:]/);
  });
});

describe('Redis configuration and ACL', () => {
  const password = randomBytes(16).toString('hex');
  let port = 0;
  let server: ChildProcess | undefined;

  const cli = (...args: string[]) => spawnSync('redis-cli', ['-p', String(port), '--no-auth-warning', ...args], { encoding: 'utf8' }).stdout.trim();
  const as = (service: ServiceDeclaration, ...args: string[]) => cli('--user', service.name, '--pass', password, ...args);
  const asService = (...args: string[]) => as(services[0]!, ...args);
  const own = (key: string) => `${redisKeyPrefixOf(services[0]!.name)}${key}`;

  beforeAll(async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const dir = mkdtempSync(join(work, 'redis-'));
    writeFileSync(join(dir, 'redis.conf'), renderRedisConfig({ maxmemoryMb: 64, dataDir: dir, aclFile: join(dir, 'users.acl'), port }));
    writeFileSync(
      join(dir, 'users.acl'),
      renderRedisAcl(
        services.map((s) => ({ name: s.name, passwordSha256: createHash('sha256').update(password).digest('hex'), keyPrefix: redisKeyPrefixOf(s.name) })),
      ),
    );
    // The generated files; only where they live and the port differ on this machine (and it listens on loopback only).
    server = spawn('redis-server', [join(dir, 'redis.conf'), '--bind', '127.0.0.1'], {
      stdio: 'ignore',
    });
    for (let attempt = 0; attempt < 100 && !/NOAUTH|PONG/.test(cli('ping')); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(cli('ping'), 'redis-server did not start with the generated config').toMatch(/NOAUTH/);
  });

  afterAll(() => {
    server?.kill();
  });

  it('refuses unauthenticated clients (the default user is off)', () => {
    expect(cli('get', 'anything')).toMatch(/NOAUTH/);
  });

  it('lets the healthcheck user ping without a secret, and nothing else', () => {
    expect(cli('--user', REDIS_PROBE_USER, '--pass', 'unused', 'ping')).toBe('PONG');
    expect(cli('--user', REDIS_PROBE_USER, '--pass', 'unused', 'get', 'x')).toMatch(/NOPERM/);
  });

  it('lets a service user read and write with its password, not without', () => {
    expect(asService('set', own('k'), 'v', 'EX', '60')).toBe('OK');
    expect(asService('get', own('k'))).toBe('v');
    expect(asService('del', own('k'))).toBe('1');
    expect(asService('info', 'server')).toMatch(/redis_version/);
    expect(cli('--user', services[0]!.name, '--pass', 'wrong', 'get', own('k'))).toMatch(/WRONGPASS|NOAUTH/);
  });

  it("confines each service to its own key prefix: neither reads nor writes the other's keys", () => {
    expect(asService('set', own('secret'), 'mine')).toBe('OK');
    expect(as(services[1]!, 'get', own('secret'))).toMatch(/NOPERM/);
    expect(as(services[1]!, 'set', own('secret'), 'theirs')).toMatch(/NOPERM/);
    expect(asService('set', 'unprefixed', 'x')).toMatch(/NOPERM/);
  });

  it('keeps administrative and dangerous commands from service users', () => {
    for (const command of [['flushall'], ['config', 'get', 'dir'], ['keys', '*'], ['acl', 'list'], ['shutdown']]) {
      expect(asService(...command), command.join(' ')).toMatch(/NOPERM/);
    }
  });

  it('persists with an append-only file', () => {
    expect(asService('set', own('durable'), '1')).toBe('OK');
    expect(cli('--user', services[0]!.name, '--pass', password, 'config', 'get', 'appendonly')).toMatch(/NOPERM/);
    const config = renderRedisConfig({ maxmemoryMb: 64 });
    expect(config).toContain('appendonly yes');
    expect(config).toContain('dir /data');
  });
});
