import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKUP_ROLE_PASSWORD_VARIABLE,
  POSTGRES_BACKUP_ROLE,
  passwordVariableOf,
  postgresServerArgs,
  renderPostgresHba,
  renderPostgresInitScript,
  type PostgresTlsPaths,
} from '../../constructs/postgres.js';
import {
  libpqEnvironmentOfBackup,
  postgresBackupCommands,
  postgresBackupConnectionEnvironment,
  postgresDumpCommand,
  shellCommand,
} from '../../constructs/postgres-backup.js';
import { createTestPki, freePort, giveToPostgres, postgresRunAs, startPostgresServer, type TestServer } from '../support/tls-servers.js';

/**
 * The backup and the restore drill on a real Postgres of this machine: a private server with the
 * container's TLS settings and pg_hba.conf (TLS + SCRAM over TCP, trust on the socket), the
 * generated init script (service roles and databases, the backup role), then the dump exactly as
 * the backup container's backup.sh runs it (postgresDumpCommand with the environment the
 * container gets, mapped as its env.sh maps it), and the restore exactly as README
 * "Backups: Postgres" tells a user to run it in the Postgres container (postgresBackupCommands).
 * Only the host (localhost, in the test certificate) and the socket directory differ.
 */

const run = randomBytes(4).toString('hex');
const work = mkdtempSync(join(tmpdir(), 'platform-pg-backup-'));
const pki = createTestPki(join(work, 'pki'));
const dir = join(work, 'postgres');
const paths: PostgresTlsPaths = { certificate: pki.certFile, privateKey: pki.keyFile, caCertificate: pki.caFile, hbaFile: join(work, 'pg_hba.conf') };
const [users, orders] = [`b${run}_users`, `b${run}_orders`];
const databases = [
  { name: users, client: 'user-service' },
  { name: orders, client: 'order-service' },
];
const secrets = { [users]: randomBytes(12).toString('hex'), [orders]: randomBytes(12).toString('hex'), backup: randomBytes(12).toString('hex') };
let server: TestServer | undefined;

/** psql over TLS (verify-full against the test CA) as `user`. */
function tlsPsql(user: string, password: string, database: string, sql: string, caFile = pki.caFile): SpawnSyncReturns<string> {
  const conninfo = `host=localhost port=${server!.port} dbname=${database} user=${user} sslmode=verify-full sslrootcert=${caFile}`;
  return spawnSync('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-Atc', sql, conninfo], { env: { ...process.env, PGPASSWORD: password }, encoding: 'utf8' });
}

/** The environment of a command run inside the Postgres container: its own Unix socket (here, the private server's). */
const insidePostgres = () => ({ ...process.env, PGHOST: dir, PGPORT: String(server!.port) });

/** Runs one of the drill's argv as the Postgres account would (the dump files are its). */
function inContainer(argv: readonly string[], options: { input?: Buffer } = {}): SpawnSyncReturns<string> {
  return spawnSync(argv[0]!, argv.slice(1), { env: insidePostgres(), encoding: 'utf8', input: options.input, ...(postgresRunAs() ?? {}) });
}

/** The dump backup.sh writes for `database`, with the backup container's environment (CA file as given). */
function dump(database: string, file: string, caFile = pki.caFile): SpawnSyncReturns<string> {
  const containerEnv = postgresBackupConnectionEnvironment({
    host: 'localhost',
    port: server!.port,
    username: POSTGRES_BACKUP_ROLE,
    password: secrets.backup,
    databases: [users, orders],
    caFile,
  });
  const [command, ...args] = postgresDumpCommand(database, file, containerEnv.POSTGRES_EXTRA_OPTS);
  // Only what env.sh hands pg_dump: no PG* of this machine leaks in.
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG'))) as Record<string, string>;
  return spawnSync(command!, args, { env: { ...base, ...libpqEnvironmentOfBackup(containerEnv) }, encoding: 'utf8' });
}

beforeAll(async () => {
  mkdirSync(dir);
  for (const path of [work, dir, pki.keyFile]) giveToPostgres(path);
  writeFileSync(paths.hbaFile, renderPostgresHba());
  server = await startPostgresServer(dir, await freePort(), postgresServerArgs(paths));
  const script = join(work, 'init.sh');
  writeFileSync(script, renderPostgresInitScript(databases, POSTGRES_BACKUP_ROLE), { mode: 0o755 });
  const init = spawnSync('sh', [script], {
    env: {
      ...insidePostgres(),
      POSTGRES_USER: 'postgres',
      [passwordVariableOf(users)]: secrets[users],
      [passwordVariableOf(orders)]: secrets[orders],
      [BACKUP_ROLE_PASSWORD_VARIABLE]: secrets.backup,
    },
    encoding: 'utf8',
  });
  expect(init.status, init.stderr).toBe(0);
  const seed = tlsPsql(
    users,
    secrets[users]!,
    users,
    "CREATE TABLE accounts (id bigserial PRIMARY KEY, email text UNIQUE NOT NULL); INSERT INTO accounts (email) VALUES ('a@example.com'), ('b@example.com');",
  );
  expect(seed.status, seed.stderr).toBe(0);
  expect(tlsPsql(orders, secrets[orders]!, orders, 'CREATE TABLE orders (id serial PRIMARY KEY, total numeric(12,2)); INSERT INTO orders (total) VALUES (12.50);').status).toBe(0);
});

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the backup role', () => {
  it('reads every service database over verified TLS', () => {
    expect(tlsPsql(POSTGRES_BACKUP_ROLE, secrets.backup, users, 'SELECT count(*) FROM accounts').stdout.trim()).toBe('2');
    expect(tlsPsql(POSTGRES_BACKUP_ROLE, secrets.backup, orders, 'SELECT total FROM orders').stdout.trim()).toBe('12.50');
  });

  it('writes nothing: no insert, no new table, no temporary table', () => {
    expect(tlsPsql(POSTGRES_BACKUP_ROLE, secrets.backup, users, "INSERT INTO accounts (email) VALUES ('x@example.com')").stderr).toMatch(/permission denied for table accounts/);
    expect(tlsPsql(POSTGRES_BACKUP_ROLE, secrets.backup, users, 'CREATE TABLE stolen (id int)').stderr).toMatch(/permission denied for schema public/);
    expect(tlsPsql(POSTGRES_BACKUP_ROLE, secrets.backup, users, 'CREATE TEMP TABLE scratch (id int)').stderr).toMatch(/permission denied to create temporary tables/);
  });

  it('cannot log in with a wrong password or without TLS', () => {
    expect(tlsPsql(POSTGRES_BACKUP_ROLE, 'wrong', users, 'SELECT 1').stderr).toMatch(/password authentication failed/);
    const plain = spawnSync('psql', ['-X', '-Atc', 'SELECT 1', `host=localhost port=${server!.port} dbname=${users} user=${POSTGRES_BACKUP_ROLE} sslmode=disable`], {
      env: { ...process.env, PGPASSWORD: secrets.backup },
      encoding: 'utf8',
    });
    expect(plain.stderr).toMatch(/pg_hba\.conf rejects connection .*no encryption/);
  });
});

describe('a dump as the backup container takes it', () => {
  it('refuses a server whose certificate the configured CA did not sign (verify-full)', () => {
    const file = join(work, 'untrusted.dump');
    const result = dump(users, file, pki.otherCaFile);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/certificate verify failed/);
  });

  it('writes a custom-format archive that pg_restore can list', () => {
    const file = join(work, 'listed.dump');
    const result = dump(orders, file);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('PGDMP');
    const listing = spawnSync('pg_restore', ['--list', file], { encoding: 'utf8' });
    expect(listing.stdout).toMatch(/TABLE DATA public orders/);
  });
});

describe('the restore drill (README "Backups: Postgres")', () => {
  const file = join(work, `${users}-drill.dump`);
  let restored: SpawnSyncReturns<string>;

  beforeAll(async () => {
    const taken = dump(users, file);
    expect(taken.status, taken.stderr).toBe(0);
    // The loss the drill recovers from: data changed after the backup.
    expect(tlsPsql(users, secrets[users]!, users, "DELETE FROM accounts; INSERT INTO accounts (email) VALUES ('after@example.com')").status).toBe(0);
    // A session still open (a service that was not stopped): the drop must close it.
    const session = spawn('psql', ['-X', '-c', 'SELECT pg_sleep(120)', `host=localhost port=${server!.port} dbname=${users} user=${users} sslmode=verify-full sslrootcert=${pki.caFile}`], {
      env: { ...process.env, PGPASSWORD: secrets[users] },
      stdio: 'ignore',
    });
    const sessions = () => inContainer(['psql', '-U', 'postgres', '-d', 'postgres', '-Atc', `SELECT count(*) FROM pg_stat_activity WHERE datname = '${users}'`]).stdout.trim();
    for (let i = 0; i < 100 && sessions() !== '1'; i++) await sleep(100);
    expect(sessions()).toBe('1');
    const closed = new Promise<number | null>((resolve) => session.once('exit', resolve));
    const dropped = inContainer(postgresBackupCommands.drop(users));
    expect(dropped.status, dropped.stderr).toBe(0);
    expect(await closed).not.toBe(0);
    // `docker exec <backup> cat <file> | docker exec -i <postgres> pg_restore ...`: the archive on stdin.
    restored = inContainer(postgresBackupCommands.restore(), { input: readFileSync(file) });
  });

  it('re-creates the database with exactly the rows of the backup', () => {
    expect(restored.status, restored.stderr).toBe(0);
    expect(tlsPsql(users, secrets[users]!, users, 'SELECT email FROM accounts ORDER BY id').stdout.trim().split('\n')).toEqual(['a@example.com', 'b@example.com']);
  });

  it("gives the database back to the service's role, which can write again (its sequence continues)", () => {
    expect(tlsPsql(users, secrets[users]!, 'postgres', `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${users}'`).stdout.trim()).toBe(users);
    const insert = tlsPsql(users, secrets[users]!, users, "INSERT INTO accounts (email) VALUES ('c@example.com') RETURNING id");
    expect(insert.status, insert.stderr).toBe(0);
    expect(insert.stdout.trim().split('\n')[0]).toBe('3');
  });

  it('restores the database privileges: still closed to other services, still open to the backup role', () => {
    expect(tlsPsql(orders, secrets[orders]!, users, 'SELECT 1').stderr).toMatch(/permission denied for database/);
    expect(tlsPsql(POSTGRES_BACKUP_ROLE, secrets.backup, users, 'SELECT count(*) FROM accounts').status).toBe(0);
  });

  it('leaves the other databases alone', () => {
    expect(tlsPsql(orders, secrets[orders]!, orders, 'SELECT total FROM orders').stdout.trim()).toBe('12.50');
  });

  it('prints each command as README shows it', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Backups: Postgres'));
    for (const argv of [postgresBackupCommands.list(), postgresBackupCommands.drop('users'), postgresBackupCommands.restore(), postgresBackupCommands.backupNow()]) {
      expect(section).toContain(shellCommand(argv));
    }
  });
});
