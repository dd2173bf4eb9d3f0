import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { Password } from '@cdktf/provider-random/lib/password/index.js';
import { containerSettings, healthcheck } from './private/container-settings.js';
import { SynthesisList } from './private/synthesis-list.js';
import { ValidationError } from './private/validation.js';
import type { CertificateAuthority } from './security/index.js';
import type { PlatformContext } from './platform-context.js';
import { statefulComponentBasics } from './private/component.js';
import { tlsFileUploads, type TlsPaths } from './private/tls-files.js';

/**
 * Seconds Postgres gets to stop. The image's STOPSIGNAL is SIGINT (fast shutdown: open
 * transactions roll back, then a shutdown checkpoint is written); Docker's 10 s default can
 * kill it mid-checkpoint, which costs crash recovery at the next start.
 */
export const POSTGRES_STOP_GRACE_SECONDS = 60;

export interface PostgresProps {
  /** The platform Postgres joins (names and network). */
  readonly context: PlatformContext;
  /** Image to run. @default defaultImage('postgres') */
  readonly image?: string;
  /** Issues the server certificate (SANs: the alias, localhost, 127.0.0.1); clients verify it against this CA. */
  readonly certificateAuthority: CertificateAuthority;
  /** Network alias other containers reach Postgres by. @default 'postgres' */
  readonly alias?: string;
  /** Container memory limit in MiB. @default 512 */
  readonly memoryMb?: number;
}

/** One database `Postgres.addDatabase` creates, with a login role named like it that owns it. */
export interface DatabaseOptions {
  /** The database's name, also its role's: a lower-case SQL identifier, not `postgres`. */
  readonly name: string;
  /** Who logs in with it (a service's name); the init script names it in a comment. */
  readonly client: string;
}

/** How one service logs in to its own database. */
export interface DatabaseCredentials {
  readonly database: string;
  readonly username: string;
  /** Generated password (a Terraform token; sensitive). */
  readonly password: string;
  /**
   * `postgres://user:password@host:port/database?sslmode=verify-full` as the service reaches
   * it on the private network: TLS, the certificate checked against the platform CA
   * (the service's `TLS_CA_FILE`) and the host name against its SANs.
   */
  readonly url: string;
}

/** How the backup client logs in (`Postgres.addBackupRole`). */
export interface BackupRoleCredentials {
  readonly username: string;
  /** Generated password (a Terraform token; sensitive). */
  readonly password: string;
}

/**
 * The login role backups run as. Not a SQL identifier a service database could take by
 * accident (addDatabase refuses it), so it never collides with a service's own role.
 */
export const POSTGRES_BACKUP_ROLE = 'platform_backup';
/** Environment variable the init script reads the backup role's password from. */
export const BACKUP_ROLE_PASSWORD_VARIABLE = 'BACKUP_ROLE_PASSWORD';

/** Where the server's TLS files and its pg_hba.conf live in the container (and in tests, elsewhere). */
export interface PostgresTlsPaths extends TlsPaths {
  readonly hbaFile: string;
}

/** The container's paths: outside the data volume, so a new certificate never meets an old one. */
export const POSTGRES_TLS_PATHS: PostgresTlsPaths = {
  certificate: '/etc/postgresql/tls/server.crt',
  privateKey: '/etc/postgresql/tls/server.key',
  caCertificate: '/etc/postgresql/tls/ca.crt',
  hbaFile: '/etc/postgresql/pg_hba.conf',
};

const PORT = 5432;
const DATA_DIR = '/var/lib/postgresql/data';
const INIT_SCRIPT = '/docker-entrypoint-initdb.d/10-service-databases.sh';
/** A lower-case, unquoted-safe SQL identifier (a database or role name the platform declares). */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Environment variable the init script reads a service role's password from. */
export function passwordVariableOf(database: string): string {
  return `SERVICE_DB_PASSWORD_${database.toUpperCase()}`;
}

/**
 * The init script the official image runs once, on an empty data directory: per
 * service one login role and one database it owns. CONNECT is revoked from PUBLIC,
 * so a role can open only its own database. Passwords come from environment
 * variables (psql variables quote them), never from the script's text.
 *
 * With `backupRole`, one more login role that may read every service database and
 * change none: the predefined role pg_read_all_data (PostgreSQL 14+; SELECT on every
 * table, view and sequence, USAGE on every schema) plus CONNECT on each database,
 * which PUBLIC no longer has. pg_dump needs nothing more.
 */
export function renderPostgresInitScript(databases: readonly DatabaseOptions[], backupRole?: string): string {
  const blocks = databases.map(({ name: db, client }) => {
    return [
      `# ${client}: database "${db}", owned by role "${db}"`,
      `psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \\`,
      `  --set=role=${db} --set=password="$${passwordVariableOf(db)}" <<'SQL'`,
      `CREATE ROLE :"role" LOGIN PASSWORD :'password';`,
      `CREATE DATABASE :"role" OWNER :"role";`,
      `REVOKE ALL ON DATABASE :"role" FROM PUBLIC;`,
      `GRANT CONNECT, TEMPORARY ON DATABASE :"role" TO :"role";`,
      `SQL`,
    ].join('\n');
  });
  if (backupRole !== undefined) {
    blocks.push(
      [
        `# backups: role "${backupRole}" reads every service database, writes none`,
        `psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \\`,
        `  --set=role=${backupRole} --set=password="$${BACKUP_ROLE_PASSWORD_VARIABLE}" <<'SQL'`,
        `CREATE ROLE :"role" LOGIN PASSWORD :'password';`,
        `GRANT pg_read_all_data TO :"role";`,
        // Database names are checked SQL identifiers (addDatabase), so quoting them is enough.
        ...databases.map(({ name }) => `GRANT CONNECT ON DATABASE "${name}" TO :"role";`),
        `SQL`,
      ].join('\n'),
    );
  }
  return ['#!/bin/sh', '# Generated by the platform stack (constructs/postgres.ts).', 'set -eu', '', ...blocks, ''].join('\n');
}

/**
 * pg_hba.conf: over TCP only TLS connections, with a SCRAM password; the container's own
 * Unix socket (the entrypoint's init scripts, `docker exec psql`) trusts local processes,
 * as the official image's default does.
 */
export function renderPostgresHba(): string {
  return [
    '# Generated by the platform stack (constructs/postgres.ts).',
    '# TYPE    DATABASE  USER  ADDRESS  METHOD',
    'local     all       all            trust',
    'hostssl   all       all   all      scram-sha-256',
    'hostnossl all       all   all      reject',
    '',
  ].join('\n');
}

/** `postgres` server arguments: TLS on with the server certificate, connections checked by our pg_hba.conf. */
export function postgresServerArgs(paths: PostgresTlsPaths = POSTGRES_TLS_PATHS): string[] {
  return [
    ['ssl', 'on'],
    ['ssl_cert_file', paths.certificate],
    ['ssl_key_file', paths.privateKey],
    ['ssl_min_protocol_version', 'TLSv1.2'],
    ['hba_file', paths.hbaFile],
  ].flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

/**
 * libpq connection string of the healthcheck: TCP on 127.0.0.1 with the certificate
 * verified against the CA, so "healthy" means TLS works. pg_isready needs no password:
 * a server that asks for one is up.
 */
export function postgresHealthcheckConninfo(port: number = PORT, paths: PostgresTlsPaths = POSTGRES_TLS_PATHS): string {
  return `host=127.0.0.1 port=${port} dbname=postgres user=postgres sslmode=verify-full sslrootcert=${paths.caCertificate}`;
}

/**
 * PostgreSQL with one database and login role per `addDatabase` call and a generated
 * superuser password; over the network only TLS connections with a password (certificate
 * from the platform CA). Healthy once it accepts TLS connections (so not during first-start init).
 */
export class Postgres extends Construct {
  /** Network alias on the private network. */
  public readonly alias: string;
  public readonly port = PORT;
  public readonly container: Container;
  /** Read at synthesis: the container's environment and init script are fixed from then on. */
  private readonly databases = new SynthesisList<{ readonly options: DatabaseOptions; readonly passwordEnv: string }>(this, { entry: 'database', adder: 'addDatabase', callers: 'each service that uses Postgres' });
  private backupRole: { readonly credentials: BackupRoleCredentials; readonly passwordEnv: string } | undefined;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    const { context } = props;
    const { alias, memoryMb, image, dataVolume } = statefulComponentBasics(this, 'postgres', props, { default: 512, min: 128 });
    this.alias = alias;

    const superuser = new Password(this, 'superuser-password', { length: 32, special: false });

    const certificate = props.certificateAuthority.issue('postgres-certificate', { commonName: this.alias });
    const paths = POSTGRES_TLS_PATHS;

    this.container = new Container(this, 'container', {
      ...containerSettings(context, { aliases: [this.alias], memoryMb, healthyWithinSeconds: 120, stopGraceSeconds: POSTGRES_STOP_GRACE_SECONDS }),
      name: `${context.namePrefix}-postgres`,
      image: image.imageId,
      // The databases are added after the container is declared: the environment and the
      // init script are produced at synthesis (cdktf Lazy), from every addDatabase call.
      env: Lazy.listValue({
        produce: () => [
          'POSTGRES_USER=postgres',
          `POSTGRES_PASSWORD=${superuser.result}`,
          'POSTGRES_DB=postgres',
          ...this.databases.render().map((d) => d.passwordEnv),
          ...(this.backupRole ? [this.backupRole.passwordEnv] : []),
        ],
      }),
      // Uploads are owned by root, and Postgres reads its key only when the key belongs to
      // its own user (uid 70 in the alpine image, 999 in debian) with mode 0600. So the image's
      // entrypoint, still root, first hands the key over (by user name), then starts as usual:
      // it initialises an empty volume, drops to the postgres user and runs
      // `postgres <args>` (its temporary init server gets the same args).
      command: ['sh', '-c', `chown postgres ${paths.privateKey} && exec docker-entrypoint.sh "$@"`, 'postgres-tls', 'postgres', ...postgresServerArgs(paths)],
      mounts: [{ type: 'volume', source: dataVolume.name, target: DATA_DIR }],
      upload: [
        // The image's entrypoint runs init scripts as the postgres user: it executes a script
        // that user may execute and only sources any other one (docker-library/postgres
        // docker-entrypoint.sh, docker_process_init_files). Uploads are root-owned, so 0755.
        {
          file: INIT_SCRIPT,
          content: Lazy.stringValue({
            produce: () => renderPostgresInitScript(this.databases.render().map((d) => d.options), this.backupRole?.credentials.username),
          }),
          permissions: '0755',
        },
        { file: paths.hbaFile, content: renderPostgresHba(), permissions: '0644' },
        ...tlsFileUploads(paths, props.certificateAuthority.caCertificatePem, certificate, '0600'),
      ],
      // TCP on 127.0.0.1: the entrypoint's temporary init server listens on the socket only,
      // so the container turns healthy after the init script, not during it.
      healthcheck: healthcheck(['CMD', 'pg_isready', '-d', postgresHealthcheckConninfo()], { startPeriod: '30s' }),
    });
  }

  /**
   * Creates a database and a login role named like it that owns it (CONNECT revoked from
   * PUBLIC, so the role can open only its own), with a generated password, and returns how
   * the client logs in. Call it before synthesis: afterwards the init script is fixed.
   */
  addDatabase(options: DatabaseOptions): DatabaseCredentials {
    const { name, client } = options;
    this.databases.checkOpen(`addDatabase("${name}")`);
    if (!SQL_IDENTIFIER.test(name) || name === 'postgres' || name === POSTGRES_BACKUP_ROLE) {
      throw new ValidationError(this, `database "${name}" of "${client}" must be a lower-case SQL identifier (letters, digits, "_"), not "postgres" or "${POSTGRES_BACKUP_ROLE}"`);
    }
    const taken = this.databases.peek().find((d) => d.options.name === name);
    if (taken) {
      throw new ValidationError(this, `database "${name}" is already "${taken.options.client}"'s; "${client}" needs its own`);
    }
    const password = new Password(this, `${name}-password`, { length: 32, special: false });
    this.databases.add({ options: { name, client }, passwordEnv: `${passwordVariableOf(name)}=${password.result}` });
    return {
      database: name,
      username: name,
      password: password.result,
      url: `postgres://${name}:${password.result}@${this.alias}:${PORT}/${name}?sslmode=verify-full`,
    };
  }

  /**
   * Creates the login role backups run as (`POSTGRES_BACKUP_ROLE`, generated password): it may
   * connect to every database added here and read all of it (pg_read_all_data), and write
   * nothing. Once per Postgres, before synthesis, like addDatabase.
   */
  addBackupRole(): BackupRoleCredentials {
    this.databases.checkOpen('addBackupRole()');
    if (this.backupRole) throw new ValidationError(this, `addBackupRole() was called twice; the one role "${POSTGRES_BACKUP_ROLE}" serves every backup`);
    const password = new Password(this, 'backup-password', { length: 32, special: false });
    const credentials = { username: POSTGRES_BACKUP_ROLE, password: password.result };
    this.backupRole = { credentials, passwordEnv: `${BACKUP_ROLE_PASSWORD_VARIABLE}=${password.result}` };
    return credentials;
  }
}
