import { Construct } from 'constructs';
import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { Volume } from '@cdktf/provider-docker/lib/volume/index.js';
import type { ITerraformDependable } from 'cdktf';
import { containerSettings, shellHealthcheck } from './private/container-settings.js';
import { ValidationError, requireWholeNumber } from './private/validation.js';
import { defaultImage } from './images.js';
import { platformLabels, type PlatformContext } from './platform-context.js';
import { pulledImage } from './private/pulled-image.js';
import { SQL_IDENTIFIER } from './postgres.js';

/**
 * Scheduled logical backups of Postgres databases with prodrigestivill/postgres-backup-local
 * (constructs/images.ts pins the build). What the image does, read at
 * prodrigestivill/docker-postgres-backup-local@d257e5d:
 * - `init.sh` runs go-cron (prodrigestivill/go-cron@e266cf2) with `SCHEDULE`; go-cron runs
 *   `/backup.sh` on it and answers HTTP on `HEALTHCHECK_PORT` with 503 while the last scheduled
 *   run failed (gocron/httpserver.go). On SIGINT/SIGTERM it waits for a running backup (main.go).
 * - `env.sh` maps `POSTGRES_HOST/PORT/USER/PASSWORD` onto libpq's `PGHOST/PGPORT/PGUSER/PGPASSWORD`;
 *   every other `PG*` variable reaches pg_dump unchanged, so `PGSSLMODE`/`PGSSLROOTCERT` give TLS.
 * - `backup.sh` runs, per database of `POSTGRES_DB` (comma-separated),
 *   `pg_dump -d "$DB" -f "$FILE" $POSTGRES_EXTRA_OPTS` into `last/<db>-<YYYYmmdd-HHMMSS><suffix>`,
 *   hard-links it as `daily/<db>-<YYYYmmdd>`, `weekly/<db>-<GGGGVV>`, `monthly/<db>-<YYYYmm>`
 *   (the newest of each period wins), points `<dir>/<db>-latest<suffix>` at it, then deletes
 *   `last/` files older than `BACKUP_KEEP_MINS` minutes, `daily/` older than `BACKUP_KEEP_DAYS`
 *   days, `weekly/` older than `BACKUP_KEEP_WEEKS`×7+1 days, `monthly/` older than
 *   `BACKUP_KEEP_MONTHS`×31+1 days. A failed dump stops the run before anything is deleted.
 * Chosen over a hand-written cron loop in the postgres image because rotation, the health
 * state of the last run and the manual trigger (`/backup.sh`) are the image's, maintained and
 * tested upstream (its CI runs backup.sh against a real Postgres); what the platform adds is
 * the TLS client settings and a least-privilege role (Postgres.addBackupRole).
 */

/** Where the image keeps the backups (its `BACKUP_DIR` default and declared VOLUME). */
export const POSTGRES_BACKUP_DIR = '/backups';
/**
 * `POSTGRES_EXTRA_OPTS`: pg_dump's custom format (compressed; pg_restore restores it with the
 * database's ownership and privileges, `--create` re-creates the database, `--list` shows it),
 * instead of the image's default plain SQL (`-Z1`).
 */
export const POSTGRES_DUMP_OPTIONS = '--format=custom';
/** `BACKUP_SUFFIX`: what each dump file's name ends with. */
export const POSTGRES_BACKUP_SUFFIX = '.dump';
/** The sub-directories backup.sh keeps, newest file of each period in the last three. */
export const POSTGRES_BACKUP_FOLDERS = ['last', 'daily', 'weekly', 'monthly'] as const;
/** Where the backup container finds the CA it verifies Postgres against (same path as the services'). */
export const POSTGRES_BACKUP_CA_FILE = '/etc/platform/tls/ca.crt';
/** The user the backups run as: the image's `postgres` account (uid 70 in the alpine image), not root. */
export const POSTGRES_BACKUP_RUN_AS = 'postgres';
/**
 * Seconds a stop waits: go-cron lets a running pg_dump finish (no bound of its own), and a
 * killed one leaves a partial file in `last/` (the next run's retention removes it).
 */
export const POSTGRES_BACKUP_STOP_GRACE_SECONDS = 120;
const HEALTHCHECK_PORT = 8080;

/** The Docker container name of an environment's backup container. */
export function postgresBackupContainerName(namePrefix: string): string {
  return `${namePrefix}-postgres-backup`;
}

/**
 * The pg_dump command line backup.sh runs for one database (POSTGRES_CLUSTER off):
 * `pg_dump -d "$DB" -f "$FILE" $POSTGRES_EXTRA_OPTS`, the options split on whitespace as the
 * unquoted shell expansion does. The restore test runs exactly this.
 */
export function postgresDumpCommand(database: string, file: string, extraOptions: string = POSTGRES_DUMP_OPTIONS): string[] {
  return ['pg_dump', '-d', database, '-f', file, ...extraOptions.split(/\s+/).filter((o) => o !== '')];
}

/** What the backup client needs to reach the server. */
export interface PostgresBackupConnection {
  /** Host name the server's certificate is valid for (its network alias). */
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** Sensitive: a Terraform token in the stack. */
  readonly password: string;
  readonly databases: readonly string[];
  /** CA file the client verifies the server certificate against. */
  readonly caFile: string;
}

/**
 * The image's connection variables, and libpq's TLS ones: `verify-full` checks the
 * certificate against the CA and the host name against its SANs, as the services do.
 */
export function postgresBackupConnectionEnvironment(connection: PostgresBackupConnection): Record<string, string> {
  return {
    POSTGRES_HOST: connection.host,
    POSTGRES_PORT: String(connection.port),
    POSTGRES_USER: connection.username,
    POSTGRES_PASSWORD: connection.password,
    POSTGRES_DB: connection.databases.join(','),
    POSTGRES_EXTRA_OPTS: POSTGRES_DUMP_OPTIONS,
    PGSSLMODE: 'verify-full',
    PGSSLROOTCERT: connection.caFile,
  };
}

/** The libpq environment pg_dump gets inside backup.sh: env.sh's mapping plus the `PG*` variables passed through. */
export function libpqEnvironmentOfBackup(environment: Readonly<Record<string, string>>): Record<string, string> {
  const passed = Object.fromEntries(Object.entries(environment).filter(([name]) => name.startsWith('PG')));
  return {
    ...passed,
    PGHOST: environment.POSTGRES_HOST!,
    PGPORT: environment.POSTGRES_PORT!,
    PGUSER: environment.POSTGRES_USER!,
    PGPASSWORD: environment.POSTGRES_PASSWORD!,
  };
}

/**
 * The container's healthcheck: go-cron answers (and the last scheduled backup did not fail),
 * and the backup role logs in to every database over TLS verified against the CA, so a
 * healthy container can take a backup now. Reads the container's own variables.
 */
export function postgresBackupHealthcheckCommand(): string {
  return [
    `curl -fsS -o /dev/null http://127.0.0.1:${HEALTHCHECK_PORT}/ || { echo 'postgres-backup: the last scheduled backup failed (docker logs)'; exit 1; };`,
    `for db in $(echo "$POSTGRES_DB" | tr , ' '); do`,
    `PGPASSWORD="$POSTGRES_PASSWORD" psql -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$db" -XAtqc 'SELECT 1' >/dev/null`,
    `|| { echo "postgres-backup -> postgres: cannot log in to $db over verified TLS"; exit 1; };`,
    'done',
  ].join(' ');
}

const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, any: true },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 6, any: true, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const;
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

function cronFieldProblem(value: string, field: (typeof CRON_FIELDS)[number]): string | undefined {
  const number = (text: string): number | undefined => {
    const index = 'names' in field ? (field.names as readonly string[]).indexOf(text.toUpperCase()) : -1;
    if (index !== -1) return index + field.min;
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  for (const part of value.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) return `${field.name} "${part}" has a bad step`;
    if (range === '*' || (range === '?' && 'any' in field)) continue;
    const [from, to, more] = range!.split('-');
    const low = number(from ?? '');
    const high = to === undefined ? low : number(to);
    if (more !== undefined || low === undefined || high === undefined) return `${field.name} "${part}" is not a number, a range or *`;
    if (low < field.min || high > field.max || low > high) return `${field.name} "${part}" is outside ${field.min}-${field.max}`;
  }
  return undefined;
}

/**
 * Why `schedule` is not one go-cron runs as meant, or undefined. go-cron parses with robfig/cron
 * v3 (SecondOptional | Minute | Hour | Dom | Month | Dow | Descriptor, gocron/go-cron.go): the
 * five standard fields, or a descriptor (`@daily`, `@every 6h`, ...). A sixth field would be read
 * as seconds first, shifting every other field, so it is refused. Times are the container's (UTC).
 */
export function cronScheduleProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text.startsWith('@')) {
    if (DESCRIPTORS.includes(text)) return undefined;
    if (/^@every (?:\d+(?:\.\d+)?(?:h|m|s))+$/.test(text)) return undefined;
    return `"${schedule}" is not a known descriptor (${DESCRIPTORS.join(', ')}, @every <duration> such as "@every 6h")`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) {
    return `"${schedule}" has ${fields.length} field(s); a cron expression has 5 (minute hour day-of-month month day-of-week), e.g. "0 3 * * *"`;
  }
  for (const [i, field] of CRON_FIELDS.entries()) {
    const problem = cronFieldProblem(fields[i]!, field);
    if (problem) return `"${schedule}": ${problem}`;
  }
  return undefined;
}

export interface PostgresBackupProps {
  /** The platform the container joins (names and network). */
  readonly context: PlatformContext;
  /** Image to run. @default defaultImage('postgres-backup') */
  readonly image?: string;
  /** The server: its alias (the certificate's host name) and port. */
  readonly server: { readonly host: string; readonly port: number };
  /** The backup role (Postgres.addBackupRole). */
  readonly credentials: { readonly username: string; readonly password: string };
  /** Databases to dump, each into its own files. */
  readonly databases: readonly string[];
  /** PEM of the CA the server certificate is verified against. */
  readonly caCertificatePem: string;
  /** When to back up: 5 cron fields or a descriptor, in UTC. @default '@daily' (midnight UTC) */
  readonly schedule?: string;
  /** Daily backups kept, in days; every single dump in `last/` is kept as long. @default 7 */
  readonly keepDays?: number;
  /** Weekly backups kept (the newest of each ISO week). @default 4 */
  readonly keepWeeks?: number;
  /** Monthly backups kept (the newest of each month). @default 6 */
  readonly keepMonths?: number;
  /** Container memory limit in MiB. @default 256 */
  readonly memoryMb?: number;
  /** Started after these are created (Postgres: healthy, the container waits for it). */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A container that dumps each database on a schedule to its own volume, with daily, weekly and
 * monthly retention, connecting as the backup role over TLS verified against the platform CA.
 * A backup now: `docker exec -u postgres <name> /backup.sh`.
 */
export class PostgresBackup extends Construct {
  public readonly container: Container;
  /** Holds every dump, under `POSTGRES_BACKUP_FOLDERS`. */
  public readonly volume: Volume;

  constructor(scope: Construct, id: string, props: PostgresBackupProps) {
    super(scope, id);
    const { context } = props;
    const schedule = props.schedule ?? '@daily';
    const keepDays = props.keepDays ?? 7;
    const keepWeeks = props.keepWeeks ?? 4;
    const keepMonths = props.keepMonths ?? 6;
    const memoryMb = props.memoryMb ?? 256;
    const scheduleProblem = cronScheduleProblem(schedule);
    if (scheduleProblem) throw new ValidationError(this, `schedule ${scheduleProblem}`);
    requireWholeNumber(this, 'keepDays', keepDays, { min: 1, unit: 'days' });
    requireWholeNumber(this, 'keepWeeks', keepWeeks, { min: 0, unit: 'weeks' });
    requireWholeNumber(this, 'keepMonths', keepMonths, { min: 0, unit: 'months' });
    requireWholeNumber(this, 'memoryMb', memoryMb, { min: 64, unit: 'MiB' });
    if (props.databases.length === 0) throw new ValidationError(this, 'databases must name at least one database to back up');
    for (const database of props.databases) {
      if (!SQL_IDENTIFIER.test(database)) throw new ValidationError(this, `databases: "${database}" is not a lower-case SQL identifier`);
    }

    const image = pulledImage(this, props.image ?? defaultImage('postgres-backup'));
    this.volume = new Volume(this, 'backups', { name: `${context.namePrefix}-postgres-backups`, labels: platformLabels(context) });
    const connection = postgresBackupConnectionEnvironment({
      host: props.server.host,
      port: props.server.port,
      username: props.credentials.username,
      password: props.credentials.password,
      databases: props.databases,
      caFile: POSTGRES_BACKUP_CA_FILE,
    });

    this.container = new Container(this, 'container', {
      ...containerSettings(context, { aliases: ['postgres-backup'], memoryMb, stopGraceSeconds: POSTGRES_BACKUP_STOP_GRACE_SECONDS }),
      name: postgresBackupContainerName(context.namePrefix),
      image: image.imageId,
      env: [
        ...Object.entries(connection).map(([name, value]) => `${name}=${value}`),
        `BACKUP_DIR=${POSTGRES_BACKUP_DIR}`,
        `BACKUP_SUFFIX=${POSTGRES_BACKUP_SUFFIX}`,
        `SCHEDULE=${schedule}`,
        `BACKUP_KEEP_DAYS=${keepDays}`,
        `BACKUP_KEEP_WEEKS=${keepWeeks}`,
        `BACKUP_KEEP_MONTHS=${keepMonths}`,
        // last/ holds every dump (scheduled and manual), so each one is kept as long as a daily.
        `BACKUP_KEEP_MINS=${keepDays * 24 * 60}`,
        `HEALTHCHECK_PORT=${HEALTHCHECK_PORT}`,
      ],
      // The image runs as root by default; its README asks for the postgres account, which needs
      // the volume (root-owned when Docker creates it from the image's VOLUME) handed over first.
      // -R: folders a root `docker exec /backup.sh` made stay writable for the scheduled runs.
      // gosu is in the image's postgres:17-alpine base (docker-library/postgres 17/alpine3.22/Dockerfile).
      command: ['sh', '-c', `chown -R ${POSTGRES_BACKUP_RUN_AS}:${POSTGRES_BACKUP_RUN_AS} ${POSTGRES_BACKUP_DIR} && exec gosu ${POSTGRES_BACKUP_RUN_AS} /init.sh`],
      mounts: [{ type: 'volume', source: this.volume.name, target: POSTGRES_BACKUP_DIR }],
      upload: [{ file: POSTGRES_BACKUP_CA_FILE, content: props.caCertificatePem, permissions: '0644' }],
      healthcheck: shellHealthcheck(postgresBackupHealthcheckCommand()),
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
    });
  }
}

/** A command line as a user types it: arguments with shell-special characters single-quoted. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * The restore drill's commands, each the argv run inside a container (README "Backups: Postgres"
 * shows them wrapped in `docker exec`; test/integration/postgres-backup.test.ts runs them as they
 * are against a real server). One place, so the README, the `npm run backup` tool and the test
 * cannot drift apart.
 */
export const postgresBackupCommands = {
  /** In the backup container, as its postgres account: a backup of every database now (the image's own script). */
  backupNow: (): string[] => ['/backup.sh'],
  /** In the backup container: every dump, by folder. */
  list: (): string[] => ['ls', '-l', ...POSTGRES_BACKUP_FOLDERS.map((folder) => `${POSTGRES_BACKUP_DIR}/${folder}`)],
  /** In the Postgres container (superuser over its Unix socket): drop the database, closing its sessions. */
  drop: (database: string): string[] => ['psql', '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`],
  /**
   * In the Postgres container, the dump on standard input: re-create the database from the dump
   * (`--create`: its owner, its CONNECT grants, then its objects and data), stopping at the first error.
   */
  restore: (): string[] => ['pg_restore', '-U', 'postgres', '-d', 'postgres', '--create', '--exit-on-error'],
};
