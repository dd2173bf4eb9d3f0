import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDeclaration } from '@platform/contract';
import { createPostgresPool } from '@platform/service-kit';
import type { PlatformContext } from '../../constructs/platform-context.js';
import { PlatformPki } from '../../constructs/security/index.js';
import {
  Postgres,
  POSTGRES_TLS_PATHS,
  passwordVariableOf,
  postgresHealthcheckConninfo,
  postgresServerArgs,
  renderPostgresHba,
  renderPostgresInitScript,
  type PostgresTlsPaths,
} from '../../constructs/postgres.js';
import {
  Redis,
  REDIS_PROBE_USER,
  REDIS_TLS_PATHS,
  redisHealthcheckCommand,
  redisKeyPrefixOf,
  renderRedisAcl,
  renderRedisConfig,
  type RedisTlsPaths,
} from '../../constructs/redis.js';
import { createTestPki, freePort, giveToPostgres, kitRedisPing, startPostgresServer, startRedisServer, type TestPki, type TestServer } from '../support/tls-servers.js';

/**
 * The generated Postgres init script, TLS settings and pg_hba.conf, and the Redis
 * configuration, run by the real servers on this machine (the init script on Postgres
 * at 127.0.0.1:5432 with trust auth; a private Postgres and a private redis-server
 * with the generated settings and a certificate from a test CA), so what the containers
 * get is known to work, and the service kit's clients are known to verify it.
 */

const run = randomBytes(4).toString('hex');
const work = mkdtempSync(join(tmpdir(), 'platform-datastores-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const pki: TestPki = createTestPki(join(work, 'pki'));
const silent = pino({ level: 'silent' });

const services: ServiceDeclaration[] = [
  { name: `t${run}-users`, port: 8000, routePrefix: '/u', database: `t${run}_users`, calls: {} },
  { name: `t${run}-orders`, port: 8000, routePrefix: '/o', database: `t${run}_orders`, calls: {} },
];

function psql(user: string, database: string, sql: string) {
  return spawnSync('psql', ['-h', '127.0.0.1', '-U', user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { encoding: 'utf8' });
}

/** The services' databases, as PlatformStack adds them. */
const databases = services.map((service) => ({ name: service.database, client: service.name }));

describe('Postgres init script', () => {
  const [users, orders] = [services[0]!.database, services[1]!.database];

  beforeAll(() => {
    const script = join(work, 'init.sh');
    writeFileSync(script, renderPostgresInitScript(databases), { mode: 0o755 });
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
    const script = renderPostgresInitScript(databases);
    expect(script).toContain(`"$${passwordVariableOf(users)}"`);
    expect(script).not.toMatch(/PASSWORD '[^:]/);
  });
});

describe('Postgres TLS settings and pg_hba.conf (a private server)', () => {
  const paths: PostgresTlsPaths = { certificate: pki.certFile, privateKey: pki.keyFile, caCertificate: pki.caFile, hbaFile: join(work, 'pg_hba.conf') };
  const password = randomBytes(16).toString('hex');
  let server: TestServer | undefined;
  const dir = join(work, 'postgres');

  const sslOfSession = async (url: string, tlsCaFile: string | undefined = pki.caFile) => {
    const pool = createPostgresPool(url, silent, { tlsCaFile, connectionTimeoutMillis: 5_000 });
    try {
      return (await pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]!.ssl;
    } finally {
      await pool.end();
    }
  };
  const url = (query: string, secret = password) => `postgres://app:${secret}@localhost:${server!.port}/postgres${query}`;

  beforeAll(async () => {
    mkdirSync(dir);
    giveToPostgres(work);
    giveToPostgres(dir);
    giveToPostgres(pki.keyFile);
    writeFileSync(paths.hbaFile, renderPostgresHba());
    server = await startPostgresServer(dir, await freePort(), postgresServerArgs(paths));
    const role = spawnSync('psql', ['-h', dir, '-p', String(server.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE ROLE app LOGIN PASSWORD '${password}'`], {
      encoding: 'utf8',
    });
    expect(role.status, role.stderr).toBe(0);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves a service role over TLS, verified against the CA (what the platform URL asks for)', async () => {
    expect(await sslOfSession(url('?sslmode=verify-full'))).toBe(true);
  });

  it('refuses TCP connections without TLS, and TLS connections without the right password', async () => {
    await expect(sslOfSession(url('?sslmode=disable'))).rejects.toThrow(/pg_hba\.conf rejects connection .*no encryption/);
    await expect(sslOfSession(url('?sslmode=verify-full', 'wrong'))).rejects.toThrow(/password authentication failed/);
  });

  it('cannot be reached by a client that trusts another CA', async () => {
    await expect(sslOfSession(url('?sslmode=verify-full'), pki.otherCaFile)).rejects.toThrow(/certificate/i);
  });

  it("passes the container's healthcheck (pg_isready over TLS, verified), which fails against another CA", () => {
    const check = (conninfo: string) => spawnSync('pg_isready', ['-d', conninfo], { encoding: 'utf8' });
    const healthy = check(postgresHealthcheckConninfo(server!.port, paths));
    expect(healthy.status, healthy.stdout + healthy.stderr).toBe(0);
    expect(check(postgresHealthcheckConninfo(server!.port, { ...paths, caCertificate: pki.otherCaFile })).status).not.toBe(0);
  });
});

describe('Redis configuration and ACL (TLS only)', () => {
  const password = randomBytes(16).toString('hex');
  const tls: RedisTlsPaths = { certificate: pki.certFile, privateKey: pki.keyFile, caCertificate: pki.caFile };
  let port = 0;
  let server: TestServer | undefined;

  const cli = (...args: string[]) =>
    spawnSync('redis-cli', ['--tls', '--cacert', pki.caFile, '-p', String(port), '--no-auth-warning', ...args], { encoding: 'utf8' }).stdout.trim();
  const as = (service: ServiceDeclaration, ...args: string[]) => cli('--user', service.name, '--pass', password, ...args);
  const asService = (...args: string[]) => as(services[0]!, ...args);
  const own = (key: string) => `${redisKeyPrefixOf(services[0]!.name)}${key}`;
  const kitPing = (url: string, tlsCaFile: string) => kitRedisPing(url, tlsCaFile);

  beforeAll(async () => {
    port = await freePort();
    const dir = mkdtempSync(join(work, 'redis-'));
    writeFileSync(join(dir, 'redis.conf'), renderRedisConfig({ maxmemoryMb: 64, dataDir: dir, aclFile: join(dir, 'users.acl'), port, tls }));
    writeFileSync(
      join(dir, 'users.acl'),
      renderRedisAcl(
        services.map((s) => ({ name: s.name, passwordSha256: createHash('sha256').update(password).digest('hex'), keyPrefix: redisKeyPrefixOf(s.name) })),
      ),
    );
    // The generated files; only where they live and the port differ on this machine (and it listens on loopback only).
    server = await startRedisServer(join(dir, 'redis.conf'), port, pki.caFile, ['--bind', '127.0.0.1']);
    expect(cli('ping'), 'redis-server did not start with the generated config').toMatch(/NOAUTH/);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('speaks only TLS: no plain-text port, and a plain-text client on the TLS port gets no answer', () => {
    const config = renderRedisConfig({ maxmemoryMb: 64 }).split('\n');
    expect(config).toEqual(expect.arrayContaining(['port 0', 'tls-port 6379', 'tls-auth-clients no']));
    const plain = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', timeout: 10_000 });
    expect(plain.status).not.toBe(0);
    expect(plain.stdout.trim()).not.toMatch(/PONG|NOAUTH/);
  });

  it("lets the service kit's client in with rediss:// and the CA, not with another CA", async () => {
    const url = `rediss://${services[0]!.name}:${password}@localhost:${port}`;
    expect(await kitPing(url, pki.caFile)).toBe('PONG');
    expect(await kitPing(url, pki.otherCaFile)).toMatch(/certificate/i);
  });

  it("passes the container's healthcheck (PING over TLS as the probe user, verified), which fails against another CA", () => {
    const check = (caCertificate: string) => spawnSync('sh', ['-c', redisHealthcheckCommand(port, { ...tls, caCertificate })]).status;
    expect(check(pki.caFile)).toBe(0);
    expect(check(pki.otherCaFile)).not.toBe(0);
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

  it('lets a service user track its own keys and hear invalidations on the one channel, no other', () => {
    expect(asService('client', 'tracking', 'on', 'bcast', 'prefix', own(''))).toBe('OK');
    const subscribe = (channel: string) =>
      spawnSync('redis-cli', ['--tls', '--cacert', pki.caFile, '-p', String(port), '--no-auth-warning', '--user', services[0]!.name, '--pass', password, 'subscribe', channel], {
        encoding: 'utf8',
        timeout: 1_500,
      }).stdout;
    expect(subscribe('__redis__:invalidate')).toMatch(/subscribe\s+__redis__:invalidate\s+1/);
    expect(subscribe('other-channel')).toMatch(/NOPERM/);
    expect(asService('publish', '__redis__:invalidate', 'x')).toMatch(/NOPERM/);
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

describe('container start commands (the key handed over, then the image entrypoint with the server args)', () => {
  /**
   * Runs a container's `command` with stand-ins for `chown` and the image's
   * `docker-entrypoint.sh` on PATH; returns what each was called with, one line per argument.
   */
  const runCommand = (command: readonly string[], chownExit = 0) => {
    const bin = mkdtempSync(join(work, 'bin-'));
    const record = (name: string, exit: number) =>
      writeFileSync(join(bin, name), `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(bin, name)}.args"\nexit ${exit}\n`, { mode: 0o755 });
    record('chown', chownExit);
    record('docker-entrypoint.sh', 0);
    const result = spawnSync(command[0]!, command.slice(1), { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
    const args = (name: string) => (existsSync(join(bin, `${name}.args`)) ? readFileSync(join(bin, `${name}.args`), 'utf8').split('\n').slice(0, -1) : undefined);
    return { status: result.status, chown: args('chown'), entrypoint: args('docker-entrypoint.sh') };
  };
  const stack = new TerraformStack(Testing.app(), 'start-commands');
  const context: PlatformContext = { namePrefix: 'elk-dev', networkName: 'net' };
  const certificateAuthority = new PlatformPki(stack, 'pki', { context });
  const postgres = new Postgres(stack, 'postgres', { context, certificateAuthority });
  const redis = new Redis(stack, 'redis', { context, certificateAuthority });

  it('Postgres: chown postgres on the key, then docker-entrypoint.sh postgres <TLS and hba args>', () => {
    const run = runCommand(postgres.container.commandInput!);
    expect(run).toEqual({ status: 0, chown: ['postgres', POSTGRES_TLS_PATHS.privateKey], entrypoint: ['postgres', ...postgresServerArgs()] });
  });

  it('Redis: chown redis on the key, then docker-entrypoint.sh redis-server <config>', () => {
    const run = runCommand(redis.container.commandInput!);
    expect(run).toEqual({ status: 0, chown: ['redis', REDIS_TLS_PATHS.privateKey], entrypoint: ['redis-server', '/usr/local/etc/redis/redis.conf'] });
  });

  it('does not start the server when the key cannot be handed over', () => {
    for (const container of [postgres.container, redis.container]) {
      const run = runCommand(container.commandInput!, 1);
      expect(run.status).not.toBe(0);
      expect(run.entrypoint).toBeUndefined();
    }
  });
});
