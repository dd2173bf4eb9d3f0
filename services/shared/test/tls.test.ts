/**
 * TLS_CA_FILE reaches both clients: against a private Postgres that refuses
 * connections without TLS and a private redis-server with no plain-text port,
 * both with a certificate from a throwaway CA, the kit connects only when it
 * verifies the server against that CA and the host name matches.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseConfigSchema, loadConfig } from '../src/config.js';
import { createPostgresPool, withTrustedCa } from '../src/postgres.js';
import { startService, type ServiceDefinition } from '../src/service.js';
import type { BaseConfig } from '../src/config.js';
import {
  createTestPki,
  freePort,
  giveToPostgres,
  kitRedisPing,
  startPostgresServer,
  startRedisServer,
  type TestPki,
  type TestServer,
} from '../../../test/support/tls-servers.js';

const work = mkdtempSync(join(tmpdir(), 'kit-tls-'));
const silent = pino({ level: 'silent' });
let pki: TestPki;
let postgres: TestServer;
let redis: TestServer;

beforeAll(async () => {
  pki = createTestPki(join(work, 'pki'));
  giveToPostgres(work);
  giveToPostgres(pki.keyFile);

  const redisPort = await freePort();
  const redisConf = join(work, 'redis.conf');
  writeFileSync(
    redisConf,
    [
      'port 0',
      `tls-port ${redisPort}`,
      'bind 127.0.0.1 127.0.0.2',
      // Server-authenticated TLS only, like the platform's Redis (renderRedisConfig).
      'tls-auth-clients no',
      `tls-cert-file ${pki.certFile}`,
      `tls-key-file ${pki.keyFile}`,
      `tls-ca-cert-file ${pki.caFile}`,
      'save ""',
      'appendonly no',
      `dir ${work}`,
      '',
    ].join('\n'),
  );
  const hba = join(work, 'pg_hba.conf');
  writeFileSync(hba, ['local all all trust', 'hostssl all all 127.0.0.0/8 trust', 'hostnossl all all all reject', ''].join('\n'));
  [redis, postgres] = await Promise.all([
    startRedisServer(redisConf, redisPort, pki.caFile),
    startPostgresServer(work, await freePort(), [
      '-c', 'listen_addresses=127.0.0.1,127.0.0.2',
      '-c', 'ssl=on',
      '-c', `ssl_cert_file=${pki.certFile}`,
      '-c', `ssl_key_file=${pki.keyFile}`,
      '-c', `hba_file=${hba}`,
    ]),
  ]);
});

afterAll(async () => {
  await Promise.all([postgres?.stop(), redis?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

const databaseUrl = (host = 'localhost', query = '?sslmode=verify-full') => `postgres://postgres@${host}:${postgres.port}/postgres${query}`;
const redisUrl = (host = 'localhost') => `rediss://${host}:${redis.port}`;

describe('TLS_CA_FILE in the configuration', () => {
  const valid = { DATABASE_URL: 'postgres://app@db/users?sslmode=verify-full', REDIS_URL: 'rediss://cache:6379' };
  const problem = (env: Record<string, string>) => {
    try {
      loadConfig(baseConfigSchema, env);
      return 'accepted';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('is optional, and taken as it is when it names a PEM certificate file', () => {
    expect(loadConfig(baseConfigSchema, valid).TLS_CA_FILE).toBeUndefined();
    expect(loadConfig(baseConfigSchema, { ...valid, TLS_CA_FILE: pki.caFile }).TLS_CA_FILE).toBe(pki.caFile);
  });

  it('stops start-up, naming the variable, for a missing file, a directory or a file with no certificate', () => {
    expect(problem({ ...valid, TLS_CA_FILE: join(work, 'nope.crt') })).toBe(`Invalid configuration: TLS_CA_FILE names no file (${join(work, 'nope.crt')})`);
    expect(problem({ ...valid, TLS_CA_FILE: work })).toMatch(/^Invalid configuration: TLS_CA_FILE names a file that cannot be read \(.*EISDIR\)$/);
    const notPem = join(work, 'not.pem');
    writeFileSync(notPem, 'hello\n');
    expect(problem({ ...valid, TLS_CA_FILE: notPem })).toMatch(/^Invalid configuration: TLS_CA_FILE must be a PEM file with at least one certificate/);
    // A key alone is PEM, but no certificate.
    expect(problem({ ...valid, TLS_CA_FILE: join(work, 'pki', 'other-ca.key') })).toMatch(/TLS_CA_FILE must be a PEM file with at least one certificate/);
  });
});

describe('Postgres client', () => {
  const sslOfSession = async (url: string, tlsCaFile?: string) => {
    const pool = createPostgresPool(url, silent, { tlsCaFile, connectionTimeoutMillis: 5_000 });
    try {
      return (await pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]!.ssl;
    } finally {
      await pool.end();
    }
  };

  it('connects over TLS, verified against the CA file, when the URL says sslmode=verify-full', async () => {
    expect(await sslOfSession(databaseUrl(), pki.caFile)).toBe(true);
    expect(await sslOfSession(databaseUrl('127.0.0.1'), pki.caFile)).toBe(true);
  });

  it('refuses a server whose certificate another CA signed, or that is not valid for the host name', async () => {
    await expect(sslOfSession(databaseUrl(), pki.otherCaFile)).rejects.toThrow(/certificate/i);
    // Without the CA file only the system's CAs are trusted, and they did not sign it.
    await expect(sslOfSession(databaseUrl())).rejects.toThrow(/certificate/i);
    await expect(sslOfSession(databaseUrl('127.0.0.2'), pki.caFile)).rejects.toThrow(/IP: 127\.0\.0\.2 is not in the cert's list|altnames/i);
  });

  it('leaves a URL without TLS as it is (this server refuses it)', async () => {
    expect(withTrustedCa('postgres://u:p@db/x', pki.caFile)).toBe('postgres://u:p@db/x');
    expect(withTrustedCa('postgres://u:p@db/x?sslmode=disable', pki.caFile)).toBe('postgres://u:p@db/x?sslmode=disable');
    expect(withTrustedCa('postgres://u:p@db/x?sslmode=verify-full&sslrootcert=/mine.crt', pki.caFile)).toBe('postgres://u:p@db/x?sslmode=verify-full&sslrootcert=/mine.crt');
    await expect(sslOfSession(databaseUrl('localhost', ''), pki.caFile)).rejects.toThrow(/no encryption/);
  });
});

describe('Redis client', () => {
  const ping = (url: string, tlsCaFile?: string) => kitRedisPing(url, tlsCaFile, 'tls-test:');

  it('connects to rediss:// over TLS, verified against the CA file', async () => {
    expect(await ping(redisUrl(), pki.caFile)).toBe('PONG');
  });

  it('refuses a server whose certificate another CA signed, or that is not valid for the host name', async () => {
    for (const [url, ca] of [[redisUrl(), pki.otherCaFile], [redisUrl(), undefined], [redisUrl('127.0.0.2'), pki.caFile]] as const) {
      expect(await ping(url, ca), `${url} with ${ca ?? 'no CA file'}`).toMatch(/certificate|is not in the cert's list/i);
    }
  });
});

describe('startService with TLS_CA_FILE', () => {
  const migrations = join(work, 'migrations');
  mkdirSync(migrations, { recursive: true });
  const definition: ServiceDefinition<BaseConfig> = { name: 'tls-probe', configSchema: baseConfigSchema, migrationsDir: migrations, routes: () => undefined };
  const env = () => ({ DATABASE_URL: databaseUrl(), REDIS_URL: redisUrl(), TLS_CA_FILE: pki.caFile, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });

  it('migrates and answers ready: Postgres and Redis both verified the servers against TLS_CA_FILE', async () => {
    const running = await startService(definition, env(), { stdout: false });
    try {
      const response = await fetch(`${running.url}/readyz`);
      expect(response.status, await response.text()).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('does not start when TLS_CA_FILE is another CA or unset', async () => {
    await expect(startService(definition, { ...env(), TLS_CA_FILE: pki.otherCaFile }, { stdout: false })).rejects.toThrow(/certificate/i);
    const { TLS_CA_FILE: _unset, ...withoutCa } = env();
    await expect(startService(definition, withoutCa, { stdout: false })).rejects.toThrow(/certificate/i);
  });
});
