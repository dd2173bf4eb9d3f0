import { Container as DockerContainer } from '@cdktf/provider-docker/lib/container/index.js';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '@platform/contract';
import { defaultImage } from '../../constructs/images.js';
import { POSTGRES_BACKUP_ROLE } from '../../constructs/postgres.js';
import {
  POSTGRES_BACKUP_CA_FILE,
  POSTGRES_BACKUP_DIR,
  POSTGRES_BACKUP_STOP_GRACE_SECONDS,
  POSTGRES_DUMP_OPTIONS,
  postgresBackupContainerName,
} from '../../constructs/postgres-backup.js';
import { loadEnvironmentConfig, resolveEnvironmentConfig, type EnvironmentSettings } from '../../stacks/config/index.js';
import { resolveImage } from '../../stacks/images.js';
import { containerPolicyViolations } from '../../stacks/policy-aspect.js';
import { ValidationError } from '../../constructs/private/validation.js';
import { containerNamed, synthPlatform, type SynthesizedPlatform } from '../support/platform-harness.js';

/** The container variables that carry backups.postgres's schedule and retention. */
const scheduleAndRetention = (env: ReadonlyMap<string, string>) =>
  Object.fromEntries(['SCHEDULE', 'BACKUP_KEEP_DAYS', 'BACKUP_KEEP_WEEKS', 'BACKUP_KEEP_MONTHS', 'BACKUP_KEEP_MINS'].map((name) => [name, env.get(name)]));

const envOf = (env: readonly string[] = []) => new Map(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

describe.each(['dev', 'staging'])('%s: scheduled Postgres backups', (environment) => {
  const platform: SynthesizedPlatform = synthPlatform(environment);
  const config = loadEnvironmentConfig(environment);
  const prefix = `${config.projectName}-${environment}`;
  const { container: backup } = containerNamed(platform, postgresBackupContainerName(prefix));
  const { id: postgresId, container: postgres } = containerNamed(platform, `${prefix}-postgres`);
  const env = envOf(backup.env);

  it('dumps every service database, in the custom format, with the default nightly schedule and retention', () => {
    expect(env.get('POSTGRES_DB')).toBe(SERVICES.map((s) => s.database).join(','));
    expect(env.get('POSTGRES_EXTRA_OPTS')).toBe(POSTGRES_DUMP_OPTIONS);
    expect(env.get('BACKUP_SUFFIX')).toBe('.dump');
    expect(scheduleAndRetention(env)).toEqual({ SCHEDULE: '@daily', BACKUP_KEEP_DAYS: '7', BACKUP_KEEP_WEEKS: '4', BACKUP_KEEP_MONTHS: '6', BACKUP_KEEP_MINS: String(7 * 24 * 60) });
  });

  it('connects as the read-only backup role over TLS verified against the platform CA, with a generated password', () => {
    expect(env.get('POSTGRES_HOST')).toBe('postgres');
    expect(env.get('POSTGRES_PORT')).toBe('5432');
    expect(env.get('POSTGRES_USER')).toBe(POSTGRES_BACKUP_ROLE);
    expect(env.get('POSTGRES_PASSWORD')).toMatch(/^\$\{random_password\.postgres_backup-password_\w+\.result\}$/);
    expect(env.get('PGSSLMODE')).toBe('verify-full');
    expect(env.get('PGSSLROOTCERT')).toBe(POSTGRES_BACKUP_CA_FILE);
    const ca = backup.upload!.find((u) => u.file === POSTGRES_BACKUP_CA_FILE)!;
    expect(ca.content).toMatch(/^\$\{tls_self_signed_cert\.pki_ca_\w+\.cert_pem\}$/);
    expect(ca.content).toBe(containerNamed(platform, `${prefix}-user-service-1`).container.upload!.find((u) => u.file.endsWith('ca.crt'))!.content);
  });

  it('creates the backup role at Postgres\' first start: pg_read_all_data and CONNECT on each service database, its password from the environment', () => {
    const init = postgres.upload!.find((u) => u.file.startsWith('/docker-entrypoint-initdb.d/'))!.content;
    expect(init).toContain(`--set=role=${POSTGRES_BACKUP_ROLE} --set=password="$BACKUP_ROLE_PASSWORD"`);
    expect(init).toContain('GRANT pg_read_all_data TO :"role";');
    for (const service of SERVICES) expect(init).toContain(`GRANT CONNECT ON DATABASE "${service.database}" TO :"role";`);
    expect(envOf(postgres.env).get('BACKUP_ROLE_PASSWORD')).toBe(env.get('POSTGRES_PASSWORD'));
  });

  it('keeps the backups on their own named volume, mounted where the image writes them', () => {
    const volumes = platform.tf.resource.docker_volume as Record<string, { name: string }>;
    const [volumeId] = Object.entries(volumes).find(([, v]) => v.name === `${prefix}-postgres-backups`)!;
    expect(backup.mounts).toEqual([{ type: 'volume', source: `\${docker_volume.${volumeId}.name}`, target: POSTGRES_BACKUP_DIR }]);
  });

  it('runs the backups as the postgres account, after handing it the volume', () => {
    expect(backup.command).toEqual(['sh', '-c', `chown -R postgres:postgres ${POSTGRES_BACKUP_DIR} && exec gosu postgres /init.sh`]);
  });

  it('starts after Postgres is healthy, stops gracefully, and meets the container policy', () => {
    expect(backup.depends_on).toContain(`docker_container.${postgresId}`);
    expect(backup.wait).toBe(true);
    expect(postgres.wait).toBe(true);
    expect(backup.stop_timeout).toBe(POSTGRES_BACKUP_STOP_GRACE_SECONDS);
    expect(backup.destroy_grace_seconds).toBe(POSTGRES_BACKUP_STOP_GRACE_SECONDS);
    expect(backup.must_run).toBe(false);
    expect(backup.memory).toBe(256);
    expect(backup.ports).toBeUndefined();
    const construct = platform.stack.postgresBackup.container;
    expect(construct).toBeInstanceOf(DockerContainer);
    expect(containerPolicyViolations(construct, config.bindAddress)).toEqual([]);
  });

  it('is healthy only while the last scheduled backup succeeded and the role logs in to every database over verified TLS', () => {
    const [kind, command] = backup.healthcheck!.test;
    expect(kind).toBe('CMD-SHELL');
    expect(command).toContain('curl -fsS -o /dev/null http://127.0.0.1:8080/');
    expect(command).toContain('psql -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$db"');
  });

  it('pulls the pinned image, and no output carries the backup password', () => {
    const image = Object.values(platform.tf.resource.docker_image as Record<string, { name: string }>).map((i) => i.name);
    expect(image).toContain(defaultImage('postgres-backup'));
    for (const output of Object.values(platform.tf.output)) expect(String(output.value)).not.toContain('backup-password');
  });
});

describe('backup settings', () => {
  const backupEnv = (settings: EnvironmentSettings) =>
    envOf(containerNamed(synthPlatform('dev', settings), 'elk-dev-postgres-backup').container.env);

  it('passes schedule and retention from backups.postgres to the container', () => {
    const env = backupEnv({ backups: { postgres: { schedule: '30 2 * * 1-5', keepDays: 14, keepWeeks: 0, keepMonths: 12, memoryMb: 128 } } });
    expect(scheduleAndRetention(env)).toEqual({ SCHEDULE: '30 2 * * 1-5', BACKUP_KEEP_DAYS: '14', BACKUP_KEEP_WEEKS: '0', BACKUP_KEEP_MONTHS: '12', BACKUP_KEEP_MINS: String(14 * 24 * 60) });
  });

  it('pulls the backup image through a registry mirror under its own Docker Hub namespace, and an override wins', () => {
    const mirrored = resolveEnvironmentConfig('dev', { images: { registryMirror: 'mirror.internal:5000/hub' } });
    expect(resolveImage(mirrored, 'postgres-backup')).toBe(`mirror.internal:5000/hub/${defaultImage('postgres-backup')}`);
    const overridden = resolveEnvironmentConfig('dev', { images: { overrides: { 'postgres-backup': 'registry.example.com/pg-backup:17-1' } } });
    expect(resolveImage(overridden, 'postgres-backup')).toBe('registry.example.com/pg-backup:17-1');
  });

  const rejection = (settings: unknown) => {
    try {
      resolveEnvironmentConfig('dev', settings as EnvironmentSettings);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as Error).message;
    }
    throw new Error(`accepted: ${JSON.stringify(settings)}`);
  };

  it.each<[string, unknown, RegExp]>([
    ['a schedule that is not cron', { schedule: 'nightly' }, /backups\.postgres\.schedule must be a 5-field cron expression or a descriptor: "nightly" has 1 field/],
    ['a schedule with seconds (go-cron would shift every field)', { schedule: '0 0 3 * * *' }, /backups\.postgres\.schedule .*has 6 field\(s\)/],
    ['an hour out of range', { schedule: '0 24 * * *' }, /backups\.postgres\.schedule .*hour "24" is outside 0-23/],
    ['a day of week out of range', { schedule: '0 3 * * 7' }, /backups\.postgres\.schedule .*day of week "7" is outside 0-6/],
    ['a bad step', { schedule: '*/0 * * * *' }, /backups\.postgres\.schedule .*minute "\*\/0" has a bad step/],
    ['an unknown descriptor', { schedule: '@nightly' }, /backups\.postgres\.schedule .*"@nightly" is not a known descriptor/],
    ['keepDays of 0', { keepDays: 0 }, /backups\.postgres\.keepDays must be a whole number of days from 1 to 3650/],
    ['a fractional keepWeeks', { keepWeeks: 1.5 }, /backups\.postgres\.keepWeeks must be a whole number of weeks/],
    ['negative keepMonths', { keepMonths: -1 }, /backups\.postgres\.keepMonths must be a whole number of months from 0 to 120/],
    ['too little memory', { memoryMb: 16 }, /backups\.postgres\.memoryMb must be a whole number of MiB from 64/],
    ['a misspelt setting', { keepDay: 3 }, /backups\.postgres .*unknown setting\(s\) "keepDay"; allowed here: schedule, keepDays, keepWeeks, keepMonths, memoryMb/],
  ])('refuses %s, naming the setting', (_, postgres, message) => {
    expect(rejection({ backups: { postgres } })).toMatch(new RegExp(`environment "dev": ${message.source}`));
  });

  it.each(['@daily', '@hourly', '@every 6h', '@every 1h30m', '0 3 * * *', '15,45 */2 1-15 JAN-JUN mon-fri', '0 0 ? * SUN'])('accepts the schedule %s', (schedule) => {
    expect(resolveEnvironmentConfig('dev', { backups: { postgres: { schedule } } }).backups.postgres.schedule).toBe(schedule);
  });
});
