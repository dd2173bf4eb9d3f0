import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import type { PlatformContext } from '../../constructs/platform-context.js';
import { POSTGRES_BACKUP_ROLE, Postgres, renderPostgresInitScript } from '../../constructs/postgres.js';
import {
  PostgresBackup,
  cronScheduleProblem,
  libpqEnvironmentOfBackup,
  postgresBackupConnectionEnvironment,
  postgresDumpCommand,
  shellCommand,
  type PostgresBackupProps,
} from '../../constructs/postgres-backup.js';
import { PlatformPki } from '../../constructs/security/index.js';

const context: PlatformContext = { namePrefix: 'elk-dev', networkName: 'elk-dev-net' };

function setup() {
  const stack = new TerraformStack(Testing.app(), 'backup');
  const pki = new PlatformPki(stack, 'pki', { context });
  const postgres = new Postgres(stack, 'pg', { context, certificateAuthority: pki });
  return { stack, pki, postgres };
}

const props = (overrides: Partial<PostgresBackupProps> = {}): Omit<PostgresBackupProps, 'context'> & { context: PlatformContext } => ({
  context,
  server: { host: 'postgres', port: 5432 },
  credentials: { username: POSTGRES_BACKUP_ROLE, password: 'token' },
  databases: ['users'],
  caCertificatePem: 'pem',
  ...overrides,
});

describe('Postgres.addBackupRole', () => {
  it('adds one read-only role whose password reaches the init script through the environment only', () => {
    const { stack, postgres } = setup();
    postgres.addDatabase({ name: 'users', client: 'user-service' });
    const role = postgres.addBackupRole();
    expect(role.username).toBe(POSTGRES_BACKUP_ROLE);
    const tf = JSON.parse(Testing.synth(stack));
    const container = Object.values(tf.resource.docker_container as Record<string, { env: string[]; upload: { file: string; content: string }[] }>)[0]!;
    expect(container.env.find((e) => e.startsWith('BACKUP_ROLE_PASSWORD='))).toMatch(/^BACKUP_ROLE_PASSWORD=\$\{random_password\.pg_backup-password_\w+\.result\}$/);
    const init = container.upload.find((u) => u.file.includes('initdb'))!.content;
    expect(init).toContain('GRANT CONNECT ON DATABASE "users" TO :"role";');
    expect(init).not.toContain('random_password');
  });

  it('is once per Postgres, before synthesis, and its name is no service database', () => {
    const { stack, postgres } = setup();
    postgres.addBackupRole();
    expect(() => postgres.addBackupRole()).toThrow(/backup\/pg: addBackupRole\(\) was called twice/);
    expect(() => postgres.addDatabase({ name: POSTGRES_BACKUP_ROLE, client: 'x-service' })).toThrow(/not "postgres" or "platform_backup"/);
    postgres.addDatabase({ name: 'users', client: 'user-service' });
    Testing.synth(stack);
    const late = setup();
    late.postgres.addDatabase({ name: 'users', client: 'user-service' });
    Testing.synth(late.stack);
    expect(() => late.postgres.addBackupRole()).toThrow(/addBackupRole\(\) came after synthesis/);
  });

  it('leaves the init script as it was without a backup role', () => {
    const databases = [{ name: 'users', client: 'user-service' }];
    expect(renderPostgresInitScript(databases)).not.toContain('pg_read_all_data');
    expect(renderPostgresInitScript(databases, POSTGRES_BACKUP_ROLE)).toContain('GRANT pg_read_all_data TO :"role";');
  });
});

describe('PostgresBackup props', () => {
  it.each<[string, Partial<PostgresBackupProps>, RegExp]>([
    ['a schedule that is not cron', { schedule: 'every night' }, /backup\/backup: schedule "every night" has 2 field\(s\)/],
    ['keepDays of 0', { keepDays: 0 }, /keepDays must be a whole number of days, at least 1 \(got 0\)/],
    ['negative keepWeeks', { keepWeeks: -1 }, /keepWeeks must be a whole number of weeks, at least 0/],
    ['too little memory', { memoryMb: 32 }, /memoryMb must be a whole number of MiB, at least 64/],
    ['no database', { databases: [] }, /databases must name at least one database/],
    ['a database that is not an identifier', { databases: ['users; DROP'] }, /databases: "users; DROP" is not a lower-case SQL identifier/],
  ])('refuses %s, naming the prop', (_, overrides, message) => {
    const { stack } = setup();
    expect(() => new PostgresBackup(stack, 'backup', props(overrides))).toThrow(message);
  });
});

describe('cron schedules (what go-cron parses as meant)', () => {
  it('accepts the standard five fields and the descriptors', () => {
    for (const ok of ['0 3 * * *', '*/15 * * * *', '0 0 1,15 * *', '0 4 * * SUN', '0 2 ? JAN-MAR MON-FRI', '@daily', '@weekly', '@every 30m']) expect(cronScheduleProblem(ok), ok).toBeUndefined();
  });

  it('refuses ranges upside down, out of bounds and unknown names', () => {
    expect(cronScheduleProblem('0 5-2 * * *')).toMatch(/hour "5-2" is outside 0-23/);
    expect(cronScheduleProblem('60 * * * *')).toMatch(/minute "60" is outside 0-59/);
    expect(cronScheduleProblem('0 0 0 * *')).toMatch(/day of month "0" is outside 1-31/);
    expect(cronScheduleProblem('0 0 * FOO *')).toMatch(/month "FOO" is not a number/);
    expect(cronScheduleProblem('? * * * *')).toMatch(/minute "\?" is not a number/);
    expect(cronScheduleProblem('@every')).toMatch(/not a known descriptor/);
  });
});

describe('the dump as backup.sh runs it', () => {
  it('is pg_dump -d <db> -f <file> followed by the extra options, split on whitespace', () => {
    expect(postgresDumpCommand('users', '/backups/last/users-1.dump')).toEqual(['pg_dump', '-d', 'users', '-f', '/backups/last/users-1.dump', '--format=custom']);
    expect(postgresDumpCommand('users', 'f', ' -Z1  --schema=public ')).toEqual(['pg_dump', '-d', 'users', '-f', 'f', '-Z1', '--schema=public']);
  });

  it("maps the container's variables onto libpq's as env.sh does, passing the TLS ones through", () => {
    const env = postgresBackupConnectionEnvironment({ host: 'postgres', port: 5432, username: 'platform_backup', password: 'pw', databases: ['users', 'orders'], caFile: '/ca.crt' });
    expect(env.POSTGRES_DB).toBe('users,orders');
    expect(libpqEnvironmentOfBackup(env)).toEqual({ PGHOST: 'postgres', PGPORT: '5432', PGUSER: 'platform_backup', PGPASSWORD: 'pw', PGSSLMODE: 'verify-full', PGSSLROOTCERT: '/ca.crt' });
  });

  it('prints arguments with shell-special characters quoted, as a user pastes them', () => {
    expect(shellCommand(['psql', '-c', 'DROP DATABASE IF EXISTS "users" WITH (FORCE)'])).toBe(`psql -c 'DROP DATABASE IF EXISTS "users" WITH (FORCE)'`);
    expect(shellCommand(['echo', "it's"])).toBe(`echo 'it'\\''s'`);
  });
});
